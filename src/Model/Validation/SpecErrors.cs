namespace Coordinator.Model.Validation;

/// <summary>Combining the errors of binding and of validation into one list for the user.</summary>
public static class SpecErrors
{
    /// <summary>
    /// Binding errors, then validation errors that are not just echoes of them: when <c>maxRecords</c> had the wrong
    /// type it stayed unset, and "at least one of maxRecords or maxBytes is required" would only repeat the problem.
    /// So a validation error on the same path as a binding error, or on an ancestor or descendant of it, is dropped.
    /// </summary>
    public static List<SpecError> Combine(IReadOnlyList<SpecError> binding, IEnumerable<SpecError> validation)
    {
        var result = binding.ToList();
        result.AddRange(validation.Where(v => !binding.Any(b => Related(b.Path, v.Path))));
        return result;
    }

    private static bool Related(string a, string b) => IsSameOrBelow(a, b) || IsSameOrBelow(b, a);

    private static bool IsSameOrBelow(string path, string ancestor) =>
        path == ancestor
        || (path.StartsWith(ancestor, StringComparison.Ordinal) && path.Length > ancestor.Length && path[ancestor.Length] is '.' or '[');
}
