using System.Buffers;
using System.Text;
using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Sylvan.Data.Csv;

namespace Coordinator.Data.Formats;

/// <summary>
/// CSV (RFC 4180) through Sylvan.Data.Csv: quoted fields, doubled quotes and embedded newlines are parsed by the
/// library, and each record is copied into the batch exactly as it appeared (its raw text), ended by LF. With
/// <c>header: true</c> the first record of each object is the header; it is written at the start of every batch, and
/// every object of a prefix must have the same header. Blank lines are skipped and counted, as for JSONL. Errors name
/// the object, the physical line and the record (1-based, the header counted).
/// </summary>
public sealed class CsvPartitioner(CsvOptions options) : IFormatPartitioner
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _scratch = [];
    private string _source = "";
    private long _line;

    public async Task PartitionAsync(IObjectStore store, IReadOnlyList<ObjectInfo> inputs, BatchLimits limits, BatchOutput output,
        PartitionStats stats, CancellationToken ct)
    {
        var delimiter = ParseDelimiter(options.Delimiter);
        var batches = new TextBatchAssembler(output, limits);
        _scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            await InputStreams.ForEachAsync(store, inputs, batches, stats, async (input, stream) =>
            {
                _source = input.Uri.ToString();
                using var text = new StreamReader(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 20);
                try
                {
                    await ReadObjectAsync(text, delimiter, batches, stats, ct).ConfigureAwait(false);
                }
                catch (InputFormatException e) when (e.Reason == InputErrorReasons.InvalidEncoding)
                {
                    if (await FindInvalidUtf8LineAsync(store, input, ct).ConfigureAwait(false) is not { } line)
                        throw;
                    throw new InputFormatException(InputErrorReasons.InvalidEncoding, _source, $"line {line}", "invalid UTF-8", e);
                }
            }, ct).ConfigureAwait(false);
            await batches.CompleteAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await batches.AbandonAsync().ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = [];
        }
    }

    private async Task ReadObjectAsync(TextReader text, char delimiter, TextBatchAssembler batches, PartitionStats stats, CancellationToken ct)
    {
        _line = 0;
        var readerOptions = new CsvDataReaderOptions
        {
            HasHeaders = false, // the header is handled here so its raw text can be repeated on every batch
            Delimiter = delimiter,
            BufferSize = 64 * 1024,
            MaxBufferSize = (int)Math.Min(batches.Limits.RecordLimitBytes + 2, int.MaxValue / 4),
            ResultSetMode = ResultSetMode.SingleResult,
        };
        await using var csv = await Guard(() => CsvDataReader.CreateAsync(text, readerOptions, ct), 1).ConfigureAwait(false);
        var expectHeader = options.Header;
        long record = 0;
        while (await Guard(() => csv.ReadAsync(ct), record + 1).ConfigureAwait(false))
        {
            record++;
            var n = Encode(csv.GetRawRecordSpan(), out var newlines);
            var line = _line + 1;
            _line += newlines;
            if (expectHeader)
            {
                expectHeader = false;
                CheckHeader(batches, n, line);
                continue;
            }
            if (n == 1)
            {
                stats.BlankLinesSkipped++;
                continue;
            }
            if (batches.IsTooLarge(n))
                throw new InputFormatException(InputErrorReasons.RecordTooLarge, _source, $"line {line} (record {record})",
                    $"record of {n} bytes does not fit a batch (limit {batches.Limits.RecordLimitBytes} bytes, header {batches.Header.Length} bytes)");
            if (batches.NeedsNewBatch(n))
                await batches.StartBatchAsync(ct).ConfigureAwait(false);
            batches.AddRecord(n);
            stats.Records++;
            stats.InputBytes += n;
            await batches.Current!.Stream.WriteAsync(_scratch.AsMemory(0, n), ct).ConfigureAwait(false);
        }
    }

    private void CheckHeader(TextBatchAssembler batches, int n, long line)
    {
        var header = _scratch.AsSpan(0, n);
        if (batches.Header.IsEmpty)
            batches.Header = header.ToArray();
        else if (!header.SequenceEqual(batches.Header.Span))
            throw new InputFormatException(InputErrorReasons.SchemaMismatch, _source, $"line {line}",
                $"header \"{Encoding.UTF8.GetString(header).TrimEnd()}\" differs from the first object's \"{Encoding.UTF8.GetString(batches.Header.Span).TrimEnd()}\"");
    }

    /// <summary>UTF-8 of the raw record without its line ending, plus LF, into the scratch buffer; returns the length.</summary>
    private int Encode(ReadOnlySpan<char> raw, out int newlines)
    {
        if (raw.EndsWith("\r\n"))
            raw = raw[..^2];
        else if (raw.EndsWith('\n') || raw.EndsWith('\r'))
            raw = raw[..^1];
        newlines = raw.Count('\n') + 1;
        var max = StrictUtf8.GetMaxByteCount(raw.Length) + 1;
        if (_scratch.Length < max)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(max);
        }
        var n = StrictUtf8.GetBytes(raw, _scratch);
        _scratch[n] = (byte)'\n';
        return n + 1;
    }

    /// <summary>Run a Sylvan call, turning its errors into input errors that name the object, line and record.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> call, long record)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (CsvRecordTooLargeException e)
        {
            throw new InputFormatException(InputErrorReasons.RecordTooLarge, _source, $"line {_line + 1} (record {record})",
                "record exceeds the per-record limit (often an unbalanced quote)", e);
        }
        catch (CsvFormatException e)
        {
            throw new InputFormatException(InputErrorReasons.MalformedRecord, _source, $"line {_line + 1} (record {record})",
                $"malformed CSV (unbalanced or misplaced quote in field {e.FieldOrdinal + 1})", e);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputFormatException(InputErrorReasons.InvalidEncoding, _source, $"near line {_line + 1} (record {record})", "invalid UTF-8", e);
        }
    }

    /// <summary>
    /// The 1-based physical line of the first byte that is not UTF-8, by a second pass over the object. The decoder
    /// fails while filling its read-ahead buffer, ahead of the parser, so the first pass only knows roughly where;
    /// this runs only on that error path. Null if the pass cannot say (the object changed, or could not be read).
    /// </summary>
    private static async Task<long?> FindInvalidUtf8LineAsync(IObjectStore store, ObjectInfo input, CancellationToken ct)
    {
        try
        {
            await using var stream = await InputStreams.OpenAsync(store, input, ct).ConfigureAwait(false);
            var buffer = new byte[64 * 1024];
            var carry = 0;
            long line = 1;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(carry), ct).ConfigureAwait(false);
                var end = carry + read;
                var i = 0;
                while (i < end)
                {
                    if (buffer[i] < 0x80)
                    {
                        line += buffer[i] == (byte)'\n' ? 1 : 0;
                        i++;
                        continue;
                    }
                    var status = Rune.DecodeFromUtf8(buffer.AsSpan(i, end - i), out _, out var used);
                    if (status == OperationStatus.Done)
                    {
                        i += used;
                    }
                    else if (status == OperationStatus.NeedMoreData && read > 0)
                    {
                        break; // a sequence cut by the buffer's end: carried into the next read
                    }
                    else
                    {
                        return line;
                    }
                }
                if (read == 0)
                {
                    return null;
                }
                carry = end - i;
                buffer.AsSpan(i, carry).CopyTo(buffer);
            }
        }
        catch (Exception e) when (e is IOException or ObjectStoreException or InputFormatException)
        {
            return null;
        }
    }

    internal static char ParseDelimiter(string delimiter) => delimiter switch
    {
        { Length: 1 } => delimiter[0],
        "\\t" or "tab" => '\t',
        _ => throw new InputFormatException(InputErrorReasons.MalformedRecord, "spec.input.csv.delimiter", "",
            $"delimiter must be a single character, got \"{delimiter}\""),
    };
}
