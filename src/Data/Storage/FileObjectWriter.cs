
namespace Coordinator.Data.Storage;

/// <summary>
/// A pending file:// write: bytes go to a temporary file beside the destination (same directory, so the rename is
/// atomic on POSIX filesystems); commit flushes to disk (fsync), renames into place and makes the file read-only.
/// Disposing without commit deletes the temporary file, leaving nothing behind.
/// </summary>
internal sealed class FileObjectWriter : IObjectWriter
{
    private readonly Uri _uri;
    private readonly string _path;
    private readonly string _tempPath;
    private readonly FileStream _stream;
    private bool _committed;

    private readonly bool _flushToDisk;

    public FileObjectWriter(Uri uri, string path, bool flushToDisk = true)
    {
        _flushToDisk = flushToDisk;
        _uri = uri;
        _path = path;
        _tempPath = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}{FileObjectStore.TempMarker}{Guid.NewGuid():N}");
        _stream = new FileStream(_tempPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0, // writers hand over large blocks already
        });
    }

    public Stream Stream => _stream;

    /// <summary>The committed file's version token (<see cref="FileObjectStore.VersionToken(long, DateTime)"/>), taken from the handle before the rename.</summary>
    public string? ETag { get; private set; }

    public async Task CommitAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
        if (_flushToDisk)
            _stream.Flush(flushToDisk: true); // fsync: the rename must never publish data still only in the page cache
        // The rename keeps the inode and its mtime, so the token read here is the published file's.
        var etag = FileObjectStore.VersionToken(_stream.SafeFileHandle);
        await _stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(_tempPath, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(_tempPath, _path, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ObjectStoreException(_uri, ObjectStoreErrorKind.AccessDenied, "access denied committing object", e);
        }
        ETag = etag;
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_committed)
            return;
        await _stream.DisposeAsync().ConfigureAwait(false);
        File.Delete(_tempPath);
    }
}
