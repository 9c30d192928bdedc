namespace Coordinator.Data.Storage;

/// <summary>
/// Where a job's input and output may point, given the daemon's settings: a file:// URI must resolve (symlinks
/// followed) inside <c>Coordinator:FileRoots</c>. The file store checks the same again at every access; this is the
/// check at validation, so a job outside is Invalid before anything is read or written.
/// </summary>
public static class UriConfinement
{
    /// <summary>The problem with <paramref name="uri"/> (a spec's input or output URI), or null when it is allowed.</summary>
    public static string? Check(string? uri, FileRoots roots)
    {
        if (uri is null || !uri.StartsWith("file:///", StringComparison.Ordinal) || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return null; // s3://, or a URI the spec's own rules already refuse
        }
        var resolved = FileRoots.Resolve(parsed.LocalPath);
        return roots.Roots.Any(root => FileRoots.Inside(resolved, FileRoots.Resolve(root))) ? null : $"{uri} {roots.OutsideMessage}";
    }
}
