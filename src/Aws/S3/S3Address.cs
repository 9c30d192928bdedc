using Coordinator.Data.Storage;

namespace Coordinator.Aws.S3;

/// <summary>
/// Bucket and key of an s3:// URI. Keys are carried in URIs with each path segment percent-escaped, so keys holding
/// spaces, '#' or '?' survive the round trip through <see cref="Uri"/>.
/// </summary>
public readonly record struct S3Address(string Bucket, string Key)
{
    public static S3Address Parse(Uri uri)
    {
        if (!uri.IsAbsoluteUri || uri.Scheme != "s3" || string.IsNullOrEmpty(uri.Host))
            throw new ObjectStoreException(uri, ObjectStoreErrorKind.InvalidUri, "not an s3://bucket/key URI");
        var key = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new S3Address(uri.Host, key);
    }

    public Uri ToUri() => ToUri(Bucket, Key);

    public static Uri ToUri(string bucket, string key) =>
        new($"s3://{bucket}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}");
}
