using Parquet;
using Parquet.Schema;

namespace Coordinator.Data.Formats;

/// <summary>
/// One column of one Parquet row group, decoded into values plus definition/repetition levels, so any range of rows
/// can be written back out unchanged: flat, nullable, and nested (list) columns alike. Typed by the column's CLR type
/// through <see cref="Create"/>, because Parquet.Net's raw API is generic.
/// </summary>
internal abstract class ParquetColumnBuffer(DataField field)
{
    public DataField Field { get; } = field;

    public static ParquetColumnBuffer Create(DataField field) =>
        (ParquetColumnBuffer)Activator.CreateInstance(typeof(ParquetColumnBuffer<>).MakeGenericType(field.ClrType), field)!;

    public abstract Task LoadAsync(ParquetRowGroupReader rowGroup, CancellationToken ct);

    /// <summary>Write rows [firstRow, firstRow + rows) of the loaded row group as this column of <paramref name="writer"/>.</summary>
    public abstract Task WriteRowsAsync(ParquetRowGroupWriter writer, long firstRow, long rows, CancellationToken ct);
}
