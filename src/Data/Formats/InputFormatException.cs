using Coordinator.Model.Errors;

namespace Coordinator.Data.Formats;

/// <summary>Why input was refused; becomes the reason of the job's condition.</summary>
public static class InputErrorReasons
{
    public const string MalformedRecord = "MalformedRecord";
    public const string RecordTooLarge = "RecordTooLarge";
    public const string InvalidEncoding = "InvalidEncoding";
    public const string CorruptCompression = "CorruptCompression";
    public const string CorruptParquet = "CorruptParquet";
    public const string SchemaMismatch = "SchemaMismatch";
    public const string EmptyInput = "EmptyInput";
    public const string InputNotFound = "InputNotFound";
    public const string AccessDenied = "AccessDenied";
}

/// <summary>
/// Input that can never be partitioned as it is: retrying will not help, so the partition controller reports it as a
/// condition. The message always names the object and where in it (line, record, row group) the problem is.
/// </summary>
public sealed class InputFormatException(string reason, string source, string location, string detail, Exception? inner = null)
    : CoordinatorException($"{source}{(location.Length > 0 ? " " + location : "")}: {detail}", inner, isTransient: false)
{
    public string Reason { get; } = reason;
    /// <summary>URI of the offending object (or the input URI when no object is involved).</summary>
    public string ObjectUri { get; } = source;
    /// <summary>Where in the object, e.g. "line 12", "record 7", "row group 3"; empty when the whole object is at fault.</summary>
    public string Location { get; } = location;
}
