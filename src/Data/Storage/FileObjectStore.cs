using System.Runtime.CompilerServices;

namespace Coordinator.Data.Storage;

/// <summary>
/// file:///path adapter for HPC shared filesystems (Lustre, NFS). Writes go to a temporary file in the destination's
/// directory, are fsynced, then renamed into place, so a reader never sees a half-written object even across a crash.
/// Committed objects are made read-only (0444): batches are written once. Listing follows S3 prefix semantics (a plain
/// string prefix of the full path, recursive) in ordinal order, so both adapters yield the same order.
/// A file's ETag is a version token, its size and last-write time (<see cref="VersionToken(long, DateTime)"/>): every
/// commit is a new file renamed into place, and the read conditional on a token checks the handle it then reads from,
/// so the bytes read are that version's.
/// <para>
/// Given <see cref="FileRoots"/>, every list, head, read, write and delete first resolves the path (symlinks followed)
/// and refuses, as AccessDenied, one that leads outside them: the check runs at each access, not only when the job
/// was validated. Without them (tests, tools) the store is unconfined.
/// </para>
/// </summary>
public sealed class FileObjectStore(bool flushToDisk = true, FileRoots? roots = null) : IObjectStore
{
    /// <summary>
    /// Whether commits fsync before the rename (default true). Turning it off keeps atomic visibility against process
    /// crashes but not against power loss or a node crash; it exists for scratch filesystems and for benchmarks that
    /// compare against tools which never fsync (GNU split).
    /// </summary>
    public bool FlushToDisk { get; } = flushToDisk;

    /// <summary>Marker in temporary file names; such files are in-flight writes and never listed.</summary>
    internal const string TempMarker = ".coordinator-tmp-";

    /// <summary>Where file:// access is confined to; null when unconfined.</summary>
    public FileRoots? Roots { get; } = roots;

    /// <summary>The local path of <paramref name="uri"/>, once <see cref="Roots"/> allow it.</summary>
    private string Allowed(Uri uri) => Allowed(uri, ToPath(uri));

    private string Allowed(Uri uri, string path)
    {
        if (Roots?.Refuse(path) is { } reason)
        {
            throw new ObjectStoreException(uri, ObjectStoreErrorKind.AccessDenied, $"refused: {reason}");
        }
        return path;
    }

    public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct)
    {
        var path = Allowed(uri);
        var info = new FileInfo(path);
        return Task.FromResult(info.Exists ? new ObjectInfo(uri, info.Length, info.LastWriteTimeUtc, VersionToken(info.Length, info.LastWriteTimeUtc)) : null);
    }

    /// <summary>A file's version token: "{size:x}-{last-write ticks (UTC, 100 ns):x}".</summary>
    public static string VersionToken(long length, DateTime lastWriteUtc) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{length:x}-{lastWriteUtc.Ticks:x}");

    /// <summary>The version token of an open file.</summary>
    internal static string VersionToken(Microsoft.Win32.SafeHandles.SafeFileHandle handle) =>
        VersionToken(RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));

    public async IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        var prefixPath = ToPath(prefix);
        var root = prefixPath.EndsWith('/') ? prefixPath.TrimEnd('/') : Path.GetDirectoryName(prefixPath);
        if (string.IsNullOrEmpty(root))
            yield break;
        Allowed(prefix, root);
        if (!Directory.Exists(root))
            yield break;
        List<string> paths;
        try
        {
            paths = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false })
                .Where(p => p.StartsWith(prefixPath, StringComparison.Ordinal) && !Path.GetFileName(p).Contains(TempMarker, StringComparison.Ordinal))
                .ToList();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ObjectStoreException(prefix, ObjectStoreErrorKind.AccessDenied, "access denied listing prefix", e);
        }
        paths.Sort(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            ct.ThrowIfCancellationRequested();
            var uri = new Uri(path);
            Allowed(uri, path); // a symlink under the prefix may lead anywhere
            var info = new FileInfo(path);
            if (info.Exists)
                yield return new ObjectInfo(uri, info.Length, info.LastWriteTimeUtc, VersionToken(info.Length, info.LastWriteTimeUtc));
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) =>
        Task.FromResult(Open(uri, null, offset, length));

    /// <summary>Opens the file, then checks the open handle's version token: the bytes read are that version's.</summary>
    public Task<Stream> OpenReadIfMatchAsync(Uri uri, string? etag, CancellationToken ct, long offset = 0, long? length = null) =>
        Task.FromResult(Open(uri, etag, offset, length));

    private Stream Open(Uri uri, string? etag, long offset, long? length)
    {
        var path = Allowed(uri);
        try
        {
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = 0, // callers read in large blocks; a FileStream buffer would only add a copy
                Options = FileOptions.SequentialScan,
            });
            if (etag is not null && VersionToken(stream.SafeFileHandle) is var current && current != etag)
            {
                stream.Dispose();
                throw ObjectStoreException.VersionChanged(uri, etag, current);
            }
            if (offset > 0)
                stream.Seek(offset, SeekOrigin.Begin);
            return length is { } n ? new RangeLimitedStream(stream, n) : stream;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectStoreException(uri, ObjectStoreErrorKind.NotFound, "no such object", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ObjectStoreException(uri, ObjectStoreErrorKind.AccessDenied, "access denied reading object", e);
        }
    }

    public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct)
    {
        var path = Allowed(uri);
        try
        {
            var dir = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(dir);
            return Task.FromResult<IObjectWriter>(new FileObjectWriter(uri, path, FlushToDisk));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The parent directory cannot be created (a missing mount, a read-only pseudo filesystem): retrying
            // will not help, so it is permanent like a missing bucket, not an I/O error to back off on.
            throw new ObjectStoreException(uri, ObjectStoreErrorKind.NotFound, $"cannot create the directory for the object ({e.Message.TrimEnd('.')})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ObjectStoreException(uri, ObjectStoreErrorKind.AccessDenied, "access denied writing object", e);
        }
    }

    public Task DeleteAsync(Uri uri, CancellationToken ct)
    {
        try
        {
            File.Delete(Allowed(uri));
        }
        catch (DirectoryNotFoundException)
        {
            // Deleting what is not there is success, as in S3.
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ObjectStoreException(uri, ObjectStoreErrorKind.AccessDenied, "access denied deleting object", e);
        }
        return Task.CompletedTask;
    }

    /// <summary>The local path of a file:// URI (percent-escapes decoded); a prefix keeps its trailing slash.</summary>
    internal static string ToPath(Uri uri)
    {
        if (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeFile)
            throw new ObjectStoreException(uri, ObjectStoreErrorKind.InvalidUri, "not a file:// URI");
        return uri.LocalPath;
    }
}
