using YamlDotNet.RepresentationModel;

namespace Coordinator.Integration.Tests.Deploy;

/// <summary>
/// deploy/cloudformation/coordinator.yaml through YamlDotNet's representation model, which keeps CloudFormation's short
/// tags (!Ref, !GetAtt, !Sub) as node tags instead of failing on them, so the template is read as CloudFormation does.
/// </summary>
internal sealed class CloudFormationTemplate
{
    private CloudFormationTemplate(YamlMappingNode root) => Root = root;

    public YamlMappingNode Root { get; }

    public YamlMappingNode Section(string name) => (YamlMappingNode)Root.Children[new YamlScalarNode(name)];

    public IEnumerable<(string Name, YamlMappingNode Resource)> Resources(string type) =>
        Section("Resources").Children
            .Select(p => (Name: ((YamlScalarNode)p.Key).Value!, Resource: (YamlMappingNode)p.Value))
            .Where(r => Scalar(r.Resource, "Type") == type);

    public static CloudFormationTemplate Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return new CloudFormationTemplate((YamlMappingNode)stream.Documents.Single().RootNode);
    }

    public static string? Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }
            node = next;
        }
        return (node as YamlScalarNode)?.Value;
    }

    public static YamlNode? Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }
            node = next;
        }
        return node;
    }

    /// <summary>Every node in the document, depth first (to find !Ref and !GetAtt wherever they are).</summary>
    public IEnumerable<YamlNode> AllNodes() => Root.AllNodes;
}
