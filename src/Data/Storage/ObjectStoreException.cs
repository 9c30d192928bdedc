using Coordinator.Model.Errors;

namespace Coordinator.Data.Storage;

/// <summary>What went wrong with an object, so callers can tell a user's mistake from a transient fault.</summary>
public enum ObjectStoreErrorKind
{
    /// <summary>The object, bucket or prefix does not exist.</summary>
    NotFound,
    /// <summary>The credentials in use may not read or write the object.</summary>
    AccessDenied,
    /// <summary>The URI is not one this store understands.</summary>
    InvalidUri,
    /// <summary>Anything else the store reported (network, server, filesystem).</summary>
    Failed,
    /// <summary>
    /// A read or copy conditional on the object's version (ETag) found another version: the object was overwritten
    /// since that version was recorded.
    /// </summary>
    PreconditionFailed,
}

/// <summary>
/// A failure of the object store, always naming the URI it concerns. Adapters translate their own errors
/// (S3 NoSuchKey/AccessDenied, FileNotFoundException, UnauthorizedAccessException) into this one type so that
/// controllers can turn NotFound/AccessDenied into a job condition a user can act on, without seeing an AWS type.
/// </summary>
public sealed class ObjectStoreException : CoordinatorException
{
    public ObjectStoreException(Uri uri, ObjectStoreErrorKind kind, string message, Exception? inner = null)
        : base($"{message}: {uri}", inner, isTransient: kind is ObjectStoreErrorKind.Failed)
    {
        Uri = uri;
        Kind = kind;
    }

    public Uri Uri { get; }
    public ObjectStoreErrorKind Kind { get; }

    /// <summary>The object is no longer version <paramref name="expected"/> (<paramref name="actual"/>, when known).</summary>
    public static ObjectStoreException VersionChanged(Uri uri, string expected, string? actual, Exception? inner = null) =>
        new(uri, ObjectStoreErrorKind.PreconditionFailed,
            $"the object is no longer the version recorded (ETag {expected}{(actual is null ? "" : $", now {actual}")}): it was overwritten", inner);

    /// <summary>True for errors retrying cannot fix (missing object, denied access, bad URI, a changed version).</summary>
    public bool IsPermanent => !IsTransient;
}
