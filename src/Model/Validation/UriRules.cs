using System.Text.RegularExpressions;

namespace Coordinator.Model.Validation;

/// <summary>
/// Input and output locations: <c>s3://bucket/key</c>, <c>s3://bucket/prefix/</c> or <c>file:///absolute/path</c>.
/// "." and ".." segments are refused so a spec cannot climb out of the prefix it names.
/// </summary>
public static partial class UriRules
{
    private const string Expected = "must be an s3://bucket/key, s3://bucket/prefix/ or file:///path URI";

    public static string? Check(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            return "is required";
        }
        if (uri.Any(char.IsControl) || uri.Contains(' ', StringComparison.Ordinal))
        {
            return $"must not contain spaces or control characters, got \"{uri}\"";
        }
        string path;
        if (uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            var rest = uri[5..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var bucket = slash < 0 ? rest : rest[..slash];
            if (!BucketPattern().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal))
            {
                return bucket.Length == 0
                    ? $"is missing the bucket name, got \"{uri}\""
                    : $"bucket name \"{bucket}\" is not valid (3-63 lowercase letters, digits, '.' and '-'), in \"{uri}\"";
            }
            path = slash < 0 ? "" : rest[(slash + 1)..];
        }
        else if (uri.StartsWith("file://", StringComparison.Ordinal))
        {
            if (!uri.StartsWith("file:///", StringComparison.Ordinal))
            {
                return $"file URIs must be absolute (file:///path), got \"{uri}\"";
            }
            path = uri[8..];
            if (path.Length == 0)
            {
                return $"must name a file or directory below /, got \"{uri}\"";
            }
        }
        else
        {
            return $"{Expected}, got \"{uri}\"";
        }
        if (path.Split('/').Any(segment => segment is "." or ".."))
        {
            return $"must not contain \".\" or \"..\" path segments, got \"{uri}\"";
        }
        return null;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\z")]
    private static partial Regex BucketPattern();
}
