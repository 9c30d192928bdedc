namespace Coordinator.Worker;

/// <summary>
/// A task's own directory on node-local storage, removed when disposed whatever happened. Creation checks the
/// filesystem keeps <see cref="WorkerOptions.MinFreeBytes"/> free, so a full disk fails the attempt clearly instead
/// of midway through a write.
/// </summary>
public sealed class ScratchDirectory : IDisposable
{
    private ScratchDirectory(string path) => Path = path;

    public string Path { get; }

    public static ScratchDirectory Create(string root, string name, long minFreeBytes)
    {
        Directory.CreateDirectory(root);
        EnsureFree(root, minFreeBytes, "before the batch was downloaded");
        var path = System.IO.Path.Combine(root, $"coordinator-{name}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(path);
        return new ScratchDirectory(path);
    }

    /// <summary>Throws <see cref="IOException"/> naming the directory when fewer than <paramref name="bytes"/> are free.</summary>
    public static void EnsureFree(string directory, long bytes, string when)
    {
        var free = new DriveInfo(System.IO.Path.GetFullPath(directory)).AvailableFreeSpace;
        if (free < bytes)
        {
            throw new IOException($"scratch directory {directory} has {free} bytes free {when}; the task needs at least {bytes}");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
