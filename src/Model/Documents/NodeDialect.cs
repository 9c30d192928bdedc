namespace Coordinator.Model.Documents;

/// <summary>
/// Which notation a node was written in. Error messages speak the user's notation: an item's user is told
/// <c>expected a number (N), got S "ten"</c>, a YAML user <c>expected a number, got "ten"</c>.
/// </summary>
public enum NodeDialect
{
    Yaml,
    Item,
}
