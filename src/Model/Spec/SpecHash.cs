using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordinator.Model.Documents;
using Coordinator.Model.Spec.Schema;

namespace Coordinator.Model.Spec;

/// <summary>
/// sha256 (lowercase hex) of a spec's canonical form: the spec written with every default explicit, as JSON with
/// keys sorted and scalars typed. So writing a default out, reordering keys, using <c>spec</c> or <c>specYaml</c>,
/// or spelling <c>10m</c> as <c>600</c> does not change the hash; any change of meaning does. The daemon compares
/// it with the item's stored <c>specHash</c> to detect a user's edit and bump the generation.
/// </summary>
public static class SpecHash
{
    public static string Compute(JobSpec spec)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson(spec)));
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>True when the job's spec no longer matches the hash the daemon last recorded.</summary>
    public static bool HasChanged(Job job) => !string.Equals(Compute(job.Spec), job.SpecHash, StringComparison.Ordinal);

    public static string CanonicalJson(JobSpec spec)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, JobSpecSchema.Write(spec));
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, SpecNode node)
    {
        switch (node)
        {
            case MapNode map:
                w.WriteStartObject();
                foreach (var (key, value) in map.Entries.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WritePropertyName(key);
                    Write(w, value);
                }
                w.WriteEndObject();
                break;
            case ListNode list:
                w.WriteStartArray();
                foreach (var item in list.Items)
                {
                    Write(w, item);
                }
                w.WriteEndArray();
                break;
            case ScalarNode s:
                var typed = PlainScalars.Resolve(s);
                switch (typed.Kind)
                {
                    case ScalarKind.Null: w.WriteNullValue(); break;
                    case ScalarKind.Bool: w.WriteBooleanValue(typed.Value == "true"); break;
                    case ScalarKind.Number when double.TryParse(typed.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d):
                        w.WriteRawValue(typed.Value!);
                        break;
                    default: w.WriteStringValue(typed.Value); break;
                }
                break;
        }
    }
}
