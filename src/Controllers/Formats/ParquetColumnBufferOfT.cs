using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace Coordinator.Controllers.Formats;

/// <summary>
/// Typed column storage. Rows map to level entries through repetition levels (a row starts where the level is 0), and
/// level entries map to stored values through definition levels (only fully defined entries carry a value).
/// </summary>
internal sealed class ParquetColumnBuffer<T>(DataField field) : ParquetColumnBuffer(field) where T : struct
{
    private T[] _values = [];
    private int[]? _definitions;
    private int[]? _repetitions;
    private int[] _rowStarts = [];
    private int[]? _valuesBefore;

    public override async Task LoadAsync(ParquetRowGroupReader rowGroup, CancellationToken ct)
    {
        using var raw = (RawColumnData<T>)await rowGroup.ReadRawColumnDataBaseAsync(Field, ct).ConfigureAwait(false);
        _values = raw.Values.ToArray();
        _definitions = TryLevels(raw, definitions: true);
        _repetitions = TryLevels(raw, definitions: false);
        var levels = _definitions?.Length ?? _repetitions?.Length ?? _values.Length;
        _rowStarts = RowStarts(_repetitions, levels);
        _valuesBefore = _definitions is { } defs && _values.Length != levels ? ValuesBefore(defs, _values.Length) : null;
    }

    public override Task WriteRowsAsync(ParquetRowGroupWriter writer, long firstRow, long rows, CancellationToken ct)
    {
        var levelFrom = _rowStarts[firstRow];
        var levelTo = _rowStarts[firstRow + rows];
        var valueFrom = _valuesBefore?[levelFrom] ?? levelFrom;
        var valueTo = _valuesBefore?[levelTo] ?? levelTo;
        ReadOnlyMemory<int>? defs = _definitions is null ? null : _definitions.AsMemory(levelFrom, levelTo - levelFrom);
        ReadOnlyMemory<int>? reps = _repetitions is null ? null : _repetitions.AsMemory(levelFrom, levelTo - levelFrom);
        return writer.WriteAllPartsAsync<T>(Field, _values.AsMemory(valueFrom, valueTo - valueFrom), defs, reps, ct);
    }

    /// <summary>Level index where each row starts, plus the end; without repetition levels, row i is level i.</summary>
    private static int[] RowStarts(int[]? repetitions, int levels)
    {
        if (repetitions is null)
            return Enumerable.Range(0, levels + 1).ToArray();
        var starts = new List<int>(levels + 1);
        for (var i = 0; i < repetitions.Length; i++)
            if (repetitions[i] == 0)
                starts.Add(i);
        starts.Add(levels);
        return [.. starts];
    }

    /// <summary>Prefix counts of stored values: entries at the maximum definition level are the ones with a value.</summary>
    private static int[] ValuesBefore(int[] definitions, int valueCount)
    {
        // With no stored value at all (every entry null) the observed maximum is below the column's, so count none.
        var max = valueCount == 0 ? int.MaxValue : definitions.Max();
        var before = new int[definitions.Length + 1];
        for (var i = 0; i < definitions.Length; i++)
            before[i + 1] = before[i] + (definitions[i] == max ? 1 : 0);
        return before;
    }

    private static int[]? TryLevels(RawColumnData raw, bool definitions)
    {
        try
        {
            return definitions ? raw.DefinitionLevels.ToArray() : raw.RepetitionLevels.ToArray();
        }
        catch (InvalidOperationException)
        {
            return null; // the column has no such levels (required, or not repeated)
        }
    }
}
