using Coordinator.Model.Documents;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Loading;

/// <summary>
/// Loads a YAML job file and the chain of files it <c>extends:</c>, merging each base under the file that extends
/// it (maps deep-merge, lists and scalars replace). A relative <c>extends</c> path is resolved against the
/// directory of the file that names it. A file reached twice on one chain is a cycle, reported with the chain.
/// </summary>
public static class ExtendsResolver
{
    public const string ExtendsKey = "extends";

    /// <summary>The merged document with every <c>extends</c> key removed, or null (with errors) when unusable.</summary>
    /// <param name="path">The file the user gave.</param>
    /// <param name="files">Where the files are read from.</param>
    /// <param name="errors">Receives every problem, positioned in the file it came from.</param>
    public static MapNode? Load(string path, ISpecFiles files, List<SpecError> errors)
    {
        var full = files.FullPath(path);
        return Load(files, full, Path.GetDirectoryName(full)!, path, [], errors, null, null);
    }

    private static MapNode? Load(ISpecFiles files, string full, string mainDirectory, string display, List<string> chain, List<SpecError> errors, string? fromPath, SourceMark? fromMark)
    {
        if (chain.Contains(full, StringComparer.Ordinal))
        {
            var names = chain.Append(full).Select(p => Path.GetRelativePath(mainDirectory, p));
            errors.Add(Located(fromPath ?? ExtendsKey, fromMark, $"extends cycle: {string.Join(" -> ", names)}"));
            return null;
        }
        string text;
        try
        {
            text = files.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var what = ex is FileNotFoundException or DirectoryNotFoundException ? "file not found" : ex.Message;
            errors.Add(Located(fromPath ?? "", fromMark, chain.Count == 0 ? $"cannot read {display}: {what}" : $"cannot read \"{display}\" ({full}): {what}"));
            return null;
        }
        var source = chain.Count == 0 ? null : Path.GetRelativePath(mainDirectory, full);
        var node = YamlNodes.Parse(text, errors, source);
        if (node is null)
        {
            return null;
        }
        if (node is not MapNode map)
        {
            errors.Add(new SpecError("", $"expected a map at the top of the document, got {node.Describe()}", node.Mark?.Line, node.Mark?.Column) { Source = source });
            return null;
        }
        if (map[ExtendsKey] is not { } extends)
        {
            return map;
        }
        var extendsMark = extends.Mark;
        map.Remove(ExtendsKey);
        if (extends is not ScalarNode { Kind: ScalarKind.Plain or ScalarKind.String, Value: { Length: > 0 } basePath })
        {
            errors.Add(new SpecError(ExtendsKey, $"expected a file path, got {extends.Describe()}", extendsMark?.Line, extendsMark?.Column) { Source = source });
            return null;
        }
        var baseFull = files.FullPath(basePath, Path.GetDirectoryName(full)!);
        var baseMap = Load(files, baseFull, mainDirectory, basePath, [.. chain, full], errors, ExtendsKey, extendsMark);
        return baseMap is null ? null : (MapNode)NodeMerge.Merge(baseMap, map);
    }

    private static SpecError Located(string path, SourceMark? mark, string message) =>
        new(path, message, mark?.Line, mark?.Column) { Source = mark?.Source };
}
