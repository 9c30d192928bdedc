using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Coordinator.Model.Documents;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// Document tree → indented JSON for <c>-o json</c>. Maps keep the codec's attribute order and names, DynamoDB
/// numbers stay JSON numbers and timestamps stay the ISO-8601 strings the item holds, so a script reads the same
/// names whether it asks the CLI or <c>aws dynamodb get-item</c> (without the S/N/M type wrappers).
/// </summary>
public static class JsonDocumentWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(SpecNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            WriteNode(writer, node);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    private static void WriteNode(Utf8JsonWriter writer, SpecNode node)
    {
        switch (node)
        {
            case MapNode map:
                writer.WriteStartObject();
                foreach (var (key, value) in map.Entries)
                {
                    writer.WritePropertyName(key);
                    WriteNode(writer, value);
                }
                writer.WriteEndObject();
                break;
            case ListNode list:
                writer.WriteStartArray();
                foreach (var item in list.Items)
                {
                    WriteNode(writer, item);
                }
                writer.WriteEndArray();
                break;
            case ScalarNode scalar:
                WriteScalar(writer, PlainScalars.Resolve(scalar));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "unknown document node");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, ScalarNode scalar)
    {
        switch (scalar.Kind)
        {
            case ScalarKind.Null:
                writer.WriteNullValue();
                break;
            case ScalarKind.Bool:
                writer.WriteBooleanValue(scalar.Value == "true");
                break;
            case ScalarKind.Number when decimal.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                writer.WriteNumberValue(number);
                break;
            default:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }
}
