using System.Text.Json;

namespace Coordinator.Data.Formats;

/// <summary>Checks that a JSONL line is exactly one JSON value (any trailing text is an error).</summary>
public static class JsonLineValidator
{
    public static void Validate(ReadOnlySpan<byte> line, string source, long lineNumber)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new InputFormatException(InputErrorReasons.MalformedRecord, source, $"line {lineNumber}",
                $"malformed JSON at byte {e.BytePositionInLine}: {FirstSentence(e.Message)}", e);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd('.', ' ') : message;
    }
}
