using System.Runtime.InteropServices;

namespace Coordinator.Data.Storage;

/// <summary>
/// The directories file:// input and output may live in (the admin setting <c>Coordinator:FileRoots</c>), and the
/// daemon's own file:// data root. A path is allowed when it resolves — symlinks followed, as the kernel would on
/// open (<c>realpath</c>) — inside one of the roots; a path that does not exist yet (an output) resolves through its
/// longest existing ancestor, and a dangling symlink through its target. Checked at validation and again by the
/// file store at every list, read, write and delete, so a symlink planted after validation is still refused.
/// <para>
/// The data root is a root of its own, reachable only by its own paths: a path that resolves into it is allowed only
/// when it is written inside it, so no symlink under a file root can lead into another job's batches or results.
/// </para>
/// </summary>
public sealed class FileRoots
{
    /// <summary>The setting's configuration path, as messages name it.</summary>
    public const string Setting = "Coordinator:FileRoots";

    private const int MaxLinks = 40; // Linux's MAXSYMLINKS: beyond it, the kernel gives ELOOP

    private readonly string? _dataRoot;

    /// <param name="roots">Absolute directories (or file:/// URIs) inputs and outputs may be in; none refuses every file:// URI.</param>
    /// <param name="dataRoot">The daemon's own file:// data root (its path), if it has one.</param>
    public FileRoots(IEnumerable<string> roots, string? dataRoot = null)
    {
        Roots = [.. roots.Where(r => !string.IsNullOrWhiteSpace(r)).Select(ToDirectory).Distinct(StringComparer.Ordinal)];
        _dataRoot = dataRoot is { Length: > 0 } ? ToDirectory(dataRoot) : null;
    }

    /// <summary>
    /// The roots in force: <paramref name="configured"/> when it names any, else the parent directory of a file://
    /// data root (its data root is then one directory of a shared filesystem), else none, so file:// is refused.
    /// </summary>
    public static FileRoots For(IReadOnlyList<string>? configured, Uri dataRoot)
    {
        var dataPath = dataRoot.IsFile ? ToDirectory(dataRoot.LocalPath) : null;
        if (configured is { Count: > 0 } && configured.Any(r => !string.IsNullOrWhiteSpace(r)))
        {
            return new FileRoots(configured, dataPath);
        }
        return dataPath is null ? new FileRoots([]) : new FileRoots([Path.GetDirectoryName(dataPath) ?? "/"], dataPath);
    }

    /// <summary>The configured roots, as absolute paths without a trailing slash ("/" for the whole filesystem).</summary>
    public IReadOnlyList<string> Roots { get; }

    /// <summary>How messages show the setting: "/srv/data", "/a, /b" or "none".</summary>
    public string Description => Roots.Count == 0 ? "none" : string.Join(", ", Roots);

    /// <summary>"is outside the allowed file roots (Coordinator:FileRoots = /srv/data)".</summary>
    public string OutsideMessage => $"is outside the allowed file roots ({Setting} = {Description})";

    /// <summary>
    /// Null when <paramref name="path"/> may be touched: it resolves inside a file root, or it is inside the data root
    /// and resolves there. Otherwise why not, naming what it resolves to.
    /// </summary>
    public string? Refuse(string path)
    {
        var resolved = Resolve(path);
        if (_dataRoot is not null && Inside(resolved, Resolve(_dataRoot)))
        {
            return Inside(Lexical(path), _dataRoot) ? null
                : $"it resolves to {resolved}, inside the coordinator's data root ({_dataRoot}), which is reached only through its own paths";
        }
        return Roots.Any(root => Inside(resolved, Resolve(root))) ? null : $"it resolves to {resolved}, which {OutsideMessage}";
    }

    /// <summary>Whether <paramref name="path"/> resolves inside the data root (a file:// output must not).</summary>
    public bool InDataRoot(string path) =>
        _dataRoot is not null && (Inside(Lexical(path), _dataRoot) || Inside(Resolve(path), Resolve(_dataRoot)));

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it (both resolved, no trailing slash).</summary>
    public static bool Inside(string path, string root) =>
        root == "/" || path == root || (path.StartsWith(root, StringComparison.Ordinal) && path.Length > root.Length && path[root.Length] == '/');

    /// <summary>
    /// <paramref name="path"/> with every symlink resolved, as open(2) would follow them; the part that does not
    /// exist yet is kept as written below the resolved part ("." and ".." in it applied after resolution).
    /// </summary>
    public static string Resolve(string path) => Resolve(path, 0);

    private static string Resolve(string path, int links)
    {
        if (!Path.IsPathRooted(path))
        {
            throw new ArgumentException($"not an absolute path: \"{path}\"", nameof(path));
        }
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        if (trimmed.Length == 0)
        {
            return "/";
        }
        if (RealPath(trimmed) is { } real)
        {
            return real;
        }
        var parent = Path.GetDirectoryName(trimmed) ?? "/";
        var name = Path.GetFileName(trimmed);
        if (new FileInfo(trimmed).LinkTarget is { } target)
        {
            // A dangling symlink: where it points is where a write would go.
            if (links >= MaxLinks)
            {
                return trimmed; // a loop: the kernel refuses it with ELOOP; nothing can be opened through it
            }
            return Resolve(Path.IsPathRooted(target) ? target : Path.Join(Resolve(parent, links + 1), target), links + 1);
        }
        var resolvedParent = Resolve(parent, links);
        return name switch
        {
            "." or "" => resolvedParent,
            ".." => Path.GetDirectoryName(resolvedParent) ?? "/",
            _ => resolvedParent == "/" ? "/" + name : resolvedParent + "/" + name,
        };
    }

    /// <summary>The path with "." and ".." applied as text, no trailing slash: where it claims to be.</summary>
    private static string Lexical(string path)
    {
        var parts = new List<string>();
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (segment != ".")
            {
                parts.Add(segment);
            }
        }
        return "/" + string.Join('/', parts);
    }

    private static string ToDirectory(string root)
    {
        var path = root.StartsWith("file://", StringComparison.Ordinal) ? new Uri(root).LocalPath : root;
        if (!Path.IsPathRooted(path))
        {
            throw new ArgumentException($"{Setting}: \"{root}\" is not an absolute directory");
        }
        return Lexical(path);
    }

    /// <summary>realpath(3): the resolved path, or null when some component does not exist (ENOENT, ENOTDIR).</summary>
    private static string? RealPath(string path)
    {
        var resolved = NativeRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            const int ENOENT = 2, ENOTDIR = 20;
            if (errno is ENOENT or ENOTDIR)
            {
                return null;
            }
            // EACCES, ELOOP, ENAMETOOLONG: nothing can be opened through this path; compare it as written.
            return Lexical(path);
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeFree(resolved);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe blocks in this project; the string is marshalled as UTF-8 in, a pointer out.
    [DllImport("libc", EntryPoint = "realpath", SetLastError = true, ExactSpelling = true)]
    private static extern IntPtr NativeRealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free", ExactSpelling = true)]
    private static extern void NativeFree(IntPtr pointer);
#pragma warning restore SYSLIB1054
}
