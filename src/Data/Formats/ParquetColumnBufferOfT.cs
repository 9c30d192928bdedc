using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace Coordinator.Data.Formats;

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
        var values = raw.Values.ToArray();
        _definitions = TryLevels(raw, definitions: true);
        _repetitions = TryLevels(raw, definitions: false);
        var levels = _definitions?.Length ?? _repetitions?.Length ?? values.Length;
        _rowStarts = RowStarts(_repetitions, levels);
        if (_definitions is { } defs && Field.MaxDefinitionLevel > 0)
        {
            // The reader's value buffer is sized for every level entry, but only the defined values (at the maximum
            // definition level) are stored, packed at its start: keep exactly those.
            _valuesBefore = ValuesBefore(defs, Field.MaxDefinitionLevel);
            _values = values.AsSpan(0, _valuesBefore[^1]).ToArray();
        }
        else
        {
            _values = values;
            _valuesBefore = null;
        }
    }

    public override Task WriteRowsAsync(ParquetRowGroupWriter writer, long firstRow, long rows, CancellationToken ct)
    {
        var levelFrom = _rowStarts[firstRow];
        var levelTo = _rowStarts[firstRow + rows];
        var valueFrom = _valuesBefore?[levelFrom] ?? levelFrom;
        var valueTo = _valuesBefore?[levelTo] ?? levelTo;
        // Explicit nullables: "cond ? null : array.AsMemory()" would turn null into an empty (non-null) Memory.
        ReadOnlyMemory<int>? defs = _definitions is null ? (ReadOnlyMemory<int>?)null : _definitions.AsMemory(levelFrom, levelTo - levelFrom);
        ReadOnlyMemory<int>? reps = _repetitions is null ? (ReadOnlyMemory<int>?)null : _repetitions.AsMemory(levelFrom, levelTo - levelFrom);
        var values = _values.AsMemory(valueFrom, valueTo - valueFrom);
        // A required, unrepeated column has no levels; WriteAllPartsAsync would then count zero rows, so use the plain path.
        return defs is null && reps is null
            ? writer.WriteAsync<T>(Field, values, null, null, ct)
            : writer.WriteAllPartsAsync<T>(Field, values, defs, reps, ct);
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

    /// <summary>Prefix counts of stored values: only entries at the maximum definition level carry a value.</summary>
    private static int[] ValuesBefore(int[] definitions, int maxDefinition)
    {
        var before = new int[definitions.Length + 1];
        for (var i = 0; i < definitions.Length; i++)
            before[i + 1] = before[i] + (definitions[i] == maxDefinition ? 1 : 0);
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
