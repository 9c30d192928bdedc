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

    /// <summary>
    /// The problem with an output URI inside the coordinator's own data, or null: on S3 the data root's jobs/ prefix
    /// (other jobs' batches and results; compared as the key S3 sees, escapes decoded and leading slashes dropped), on a
    /// file:// data root the whole directory (symlinks followed). The daemon writes only under jobs/{name}/ and the
    /// job's own output.
    /// </summary>
    public static string? CheckOutput(string? uri, Uri dataRoot, FileRoots roots)
    {
        if (uri is null || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return null;
        }
        if (parsed.Scheme == "s3" && dataRoot.Scheme == "s3")
        {
            var jobs = new Uri($"{dataRoot.ToString().TrimEnd('/')}/jobs/");
            return string.Equals(parsed.Host, jobs.Host, StringComparison.OrdinalIgnoreCase) && S3Key(parsed).StartsWith(S3Key(jobs), StringComparison.Ordinal)
                ? Inside(uri, jobs)
                : null;
        }
        return parsed.IsFile && dataRoot.IsFile && roots.InDataRoot(parsed.LocalPath) ? Inside(uri, dataRoot) : null;
    }

    private static string Inside(string uri, Uri root) => $"{uri} is inside the coordinator's data root ({root}): a job's output may not be written there";

    /// <summary>The key S3 stores for an s3:// URI (as S3Address reads it).</summary>
    private static string S3Key(Uri uri) => Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
}
