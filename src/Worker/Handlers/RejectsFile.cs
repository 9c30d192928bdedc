using System.Text;
using System.Text.Json;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// The records a handler rejected: <c>$COORDINATOR_REJECTS</c> (in both modes) names a file in the attempt's scratch
/// directory to which the handler appends one JSON object per rejected record, <c>{"record": …, "reason": "…"}</c>.
/// A batch with rejects still succeeds; they are uploaded beside the attempt's result, counted in
/// <c>status.records.rejected</c> and aggregated into <c>failed-records.jsonl</c> beside the output. A line that is
/// not such an object fails the attempt (BadHandler) naming the line.
/// </summary>
public static class RejectsFile
{
    public const string FileName = "rejects.jsonl";

    /// <summary>The rejects file of the attempt whose scratch directory is <paramref name="scratch"/>.</summary>
    public static string In(string scratch) => Path.Combine(scratch, FileName);

    /// <summary>Validates and counts the rejects at <paramref name="path"/>; 0 when the handler wrote none.</summary>
    public static async Task<long> CountAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return 0;
        }
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        long records = 0;
        long number = 0;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var excerpt = line.Length > 80 ? line[..80] + "…" : line;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("record", out _))
                {
                    throw new OutputValidationException($"$COORDINATOR_REJECTS line {number} is not an object with a \"record\": {excerpt}");
                }
                if (!root.TryGetProperty("reason", out var reason) || reason.ValueKind != JsonValueKind.String || reason.GetString()!.Length == 0)
                {
                    throw new OutputValidationException($"$COORDINATOR_REJECTS line {number} has no \"reason\" string: {excerpt}");
                }
            }
            catch (JsonException e)
            {
                throw new OutputValidationException($"$COORDINATOR_REJECTS line {number} is not valid JSON ({e.Message}): {excerpt}");
            }
            records++;
        }
        return records;
    }
}
