namespace Coordinator.Model.Documents;

/// <summary>
/// The type a scalar was written with. YAML plain scalars stay untyped (<see cref="Plain"/>) until bound to a field,
/// because <c>partition: 123</c> is a string and <c>maxRecords: 123</c> a number. Quoted YAML and DynamoDB S are
/// <see cref="String"/>; DynamoDB N, BOOL and NULL are typed.
/// </summary>
public enum ScalarKind
{
    Plain,
    String,
    Number,
    Bool,
    Null,
}
