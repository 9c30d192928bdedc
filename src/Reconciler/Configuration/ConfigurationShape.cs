using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Coordinator.Reconciler.Configuration;

/// <summary>
/// Compares configuration keys with an options type before binding. The binder silently ignores a misspelt key
/// ("Coordinator:JobTable") and stops at the first value it cannot convert; this reports all of them, by path.
/// </summary>
public static class ConfigurationShape
{
    /// <summary>One bad key: its configuration path and the message to show.</summary>
    public sealed record Problem(string Path, string Message)
    {
        public override string ToString() => $"{Path}: {Message}";
    }

    /// <summary>
    /// Checks <paramref name="section"/> against <paramref name="optionsType"/>; a child named in
    /// <paramref name="sections"/> is a section of its own, bound to another options class (the worker's settings
    /// under "Coordinator:Worker": the Controllers project that holds <c>CoordinatorOptions</c> cannot see them); give
    /// it a case-insensitive comparer, as configuration keys are.
    /// </summary>
    public static IReadOnlyList<Problem> Check(IConfigurationSection section, Type optionsType, IReadOnlyDictionary<string, Type>? sections = null)
    {
        var errors = new List<Problem>();
        CheckInto(section, optionsType, errors, sections);
        return errors;
    }

    /// <summary>
    /// The section's values without the keys under <paramref name="problems"/>, rooted at the section's own name, so
    /// the rest still binds and is validated: one run then reports every bad setting, not only the malformed ones.
    /// </summary>
    public static IConfiguration Without(IConfigurationSection section, IReadOnlyList<Problem> problems) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable()
                .Where(kv => !problems.Any(p => kv.Key.Equals(p.Path, StringComparison.OrdinalIgnoreCase)
                    || kv.Key.StartsWith(p.Path + ":", StringComparison.OrdinalIgnoreCase))))
            .Build();

    private static void CheckInto(IConfigurationSection section, Type type, List<Problem> errors, IReadOnlyDictionary<string, Type>? sections = null)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        foreach (var child in section.GetChildren())
        {
            if (sections is not null && sections.TryGetValue(child.Key, out var sectionType))
            {
                if (!child.GetChildren().Any() && child.Value is { Length: > 0 })
                {
                    errors.Add(new Problem(child.Path, $"must be a section with settings {string.Join(", ", Settable(sectionType))}, not a value"));
                }
                else
                {
                    CheckInto(child, sectionType, errors);
                }
                continue;
            }
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var known = properties.Select(p => p.Name).Concat(sections?.Keys ?? []);
                errors.Add(new Problem(child.Path, $"unknown setting; known settings here: {string.Join(", ", known)}"));
                continue;
            }
            var hasChildren = child.GetChildren().Any();
            if (property.PropertyType.IsArray && IsScalar(property.PropertyType.GetElementType()!))
            {
                CheckList(child, property.PropertyType.GetElementType()!, errors);
            }
            else if (IsStringMap(property.PropertyType))
            {
                // Any names are keys of the map (Slurm:WorkerEnvironment); each must be a value, not a section.
                errors.AddRange(child.GetChildren().Where(entry => entry.GetChildren().Any())
                    .Select(entry => new Problem(entry.Path, "must be a single value, not a section")));
                if (!hasChildren && child.Value is { Length: > 0 })
                {
                    errors.Add(new Problem(child.Path, "must be a section of NAME=value entries, not a value"));
                }
            }
            else if (IsScalar(property.PropertyType))
            {
                if (hasChildren)
                {
                    errors.Add(new Problem(child.Path, $"must be a single value, not a section"));
                }
                else if (child.Value is { Length: > 0 } value && !Converts(value, property.PropertyType))
                {
                    errors.Add(new Problem(child.Path, $"must be {Describe(property.PropertyType)}; got \"{value}\""));
                }
            }
            else if (!hasChildren && child.Value is { Length: > 0 })
            {
                errors.Add(new Problem(child.Path, $"must be a section with settings {string.Join(", ", property.PropertyType.GetProperties().Select(p => p.Name))}, not a value"));
            }
            else
            {
                CheckInto(child, property.PropertyType, errors);
            }
        }
    }

    /// <summary>A list setting: items 0, 1, … (COORDINATOR__FILEROOTS__0), each a single value of the element type.</summary>
    private static void CheckList(IConfigurationSection list, Type element, List<Problem> errors)
    {
        if (!list.GetChildren().Any())
        {
            if (list.Value is { Length: > 0 })
            {
                var env = EnvironmentOverrides.Prefix + list.Path[(list.Path.IndexOf(':', StringComparison.Ordinal) + 1)..].Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
                errors.Add(new Problem(list.Path, $"must be a list: set {list.Path}:0, {list.Path}:1, … ({env}__0=…); got \"{list.Value}\""));
            }
            return;
        }
        foreach (var item in list.GetChildren())
        {
            if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                errors.Add(new Problem(item.Path, "a list item must be numbered 0, 1, …"));
            }
            else if (item.GetChildren().Any())
            {
                errors.Add(new Problem(item.Path, "must be a single value, not a section"));
            }
            else if (item.Value is { Length: > 0 } value && !Converts(value, element))
            {
                errors.Add(new Problem(item.Path, $"must be {Describe(element)}; got \"{value}\""));
            }
        }
    }

    private static IEnumerable<string> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name);

    private static bool IsStringMap(Type type) => typeof(IDictionary<string, string>).IsAssignableFrom(type);

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(Uri);
    }

    private static bool Converts(string value, Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            return TypeDescriptor.GetConverter(t).ConvertFromString(null, CultureInfo.InvariantCulture, value) is not null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t switch
        {
            _ when t == typeof(int) || t == typeof(long) => "a whole number",
            _ when t == typeof(bool) => "true or false",
            _ when t == typeof(double) || t == typeof(decimal) => "a number",
            _ when t == typeof(TimeSpan) => "a duration like 00:05:00",
            _ when t.IsEnum => "one of " + string.Join(", ", Enum.GetNames(t)),
            _ => "a " + t.Name,
        };
    }
}
