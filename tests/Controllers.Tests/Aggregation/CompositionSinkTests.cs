using System.Security.Cryptography;
using System.Text;
using Coordinator.Data.Aggregation;
using Coordinator.Data.Storage;

namespace Coordinator.Controllers.Tests.Aggregation;

/// <summary>
/// The composed output (streamed parts + server-side copies) is byte-identical to the streamed one, in batch order,
/// with every part but the last at least the minimum — checked with tiny part sizes over real files.
/// </summary>
public sealed class CompositionSinkTests : IDisposable
{
    private const long Min = 64;
    private const int PartSize = 100;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("coord-compose-");
    private readonly FileObjectStore _store = new();

    public void Dispose() => _root.Delete(recursive: true);

    private async Task<ResultSource> ResultAsync(int index, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var uri = new Uri(Path.Combine(_root.FullName, $"result-{index}"));
        await File.WriteAllBytesAsync(uri.LocalPath, bytes);
        return new ResultSource(index, uri, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private static string Lines(int index, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"{{\"batch\": {index}, \"line\": {i}}}\n"));

    private async Task<(byte[] Streamed, RecordingComposition Composed, CompositionSink Sink, (string, long) ComposedHash, (string, long) StreamedHash)> BothAsync(
        IReadOnlyList<ResultSource> sources, bool csv)
    {
        using var streamed = new MemoryStream();
        var streamedHash = await TextConcatenator.ConcatAsync(_store, sources, streamed, csv, default);
        var sizes = sources.ToDictionary(s => s.Uri, s => new FileInfo(s.Uri.LocalPath).Length);
        var composition = new RecordingComposition(_store, Min, PartSize);
        var sink = new CompositionSink(composition, sources, sizes);
        var composedHash = await TextConcatenator.ConcatAsync(_store, sources, sink, csv, default);
        await composition.CommitAsync(default);
        return (streamed.ToArray(), composition, sink, composedHash, streamedHash);
    }

    [Fact]
    public async Task Jsonl_MixedSizesComposeToTheStreamedBytesWithCopiesForLargeResults()
    {
        ResultSource[] sources =
        [
            await ResultAsync(0, Lines(0, 1)),                         // small: streamed
            await ResultAsync(1, Lines(1, 12)),                        // large: topped up, rest copied
            await ResultAsync(2, Lines(2, 8).TrimEnd('\n')),           // large, no final newline: copied, newline streamed
            await ResultAsync(3, ""),                                  // empty
            await ResultAsync(4, Lines(4, 2)),                         // small
            await ResultAsync(5, Lines(5, 20)),                        // large: several parts' worth in one copy
        ];
        var (streamed, composed, sink, composedHash, streamedHash) = await BothAsync(sources, csv: false);
        Assert.Equal(streamed, composed.Committed);
        Assert.Equal(streamedHash, composedHash);
        Assert.Equal(3, sink.Copies);
        Assert.Contains(composed.Parts, p => p.Kind == "bytes");
    }

    [Fact]
    public async Task Csv_KeepsOneHeaderAndCopiesOnlyWhatFollowsEachHeader()
    {
        static string Csv(int index, int rows) => "id,text\n" + string.Concat(Enumerable.Range(0, rows).Select(i => $"{index * 100 + i},row {i} of batch {index}\n"));
        ResultSource[] sources = [await ResultAsync(0, Csv(0, 10)), await ResultAsync(1, Csv(1, 2)), await ResultAsync(2, Csv(2, 10))];
        var (streamed, composed, sink, _, _) = await BothAsync(sources, csv: true);
        Assert.Equal(streamed, composed.Committed);
        Assert.Equal(1, Encoding.UTF8.GetString(composed.Committed!).Split('\n').Count(l => l == "id,text"));
        Assert.True(sink.Copies >= 2, $"{sink.Copies} copies");
    }

    [Fact]
    public async Task AllSmallResults_AreStreamedWithoutACopy()
    {
        ResultSource[] sources = [await ResultAsync(0, Lines(0, 1)), await ResultAsync(1, Lines(1, 1))];
        var (streamed, composed, sink, _, _) = await BothAsync(sources, csv: false);
        Assert.Equal(streamed, composed.Committed);
        Assert.Equal(0, sink.Copies);
    }

    [Fact]
    public async Task AResultThatChangedSinceItWasListed_FailsThePassInsteadOfTrustingTheCopy()
    {
        var source = await ResultAsync(0, Lines(0, 12));
        var sizes = new Dictionary<Uri, long> { [source.Uri] = new FileInfo(source.Uri.LocalPath).Length + 1 };
        var sink = new CompositionSink(new RecordingComposition(_store, Min, PartSize), [source], sizes);
        var error = await Assert.ThrowsAsync<IOException>(() => TextConcatenator.ConcatAsync(_store, [source], sink, false, default));
        Assert.Contains("changed during aggregation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACorruptResult_FailsWithItsBatchBeforeCommit()
    {
        var good = await ResultAsync(0, Lines(0, 12));
        var bad = await ResultAsync(1, Lines(1, 12)) with { Sha256 = new string('0', 64) };
        var sizes = new[] { good, bad }.ToDictionary(s => s.Uri, s => new FileInfo(s.Uri.LocalPath).Length);
        var composition = new RecordingComposition(_store, Min, PartSize);
        var error = await Assert.ThrowsAsync<ResultChecksumException>(() =>
            TextConcatenator.ConcatAsync(_store, [good, bad], new CompositionSink(composition, [good, bad], sizes), false, default));
        Assert.Equal(1, error.Index);
        Assert.Null(composition.Committed);
    }
}
