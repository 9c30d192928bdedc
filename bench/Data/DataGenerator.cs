using System.Text;
using Parquet;
using Parquet.Schema;

namespace Coordinator.Bench.Data;

/// <summary>Generates benchmark inputs at run time (never committed): JSONL, CSV and Parquet of a requested size.</summary>
internal static class DataGenerator
{
    /// <summary>JSONL lines of about 130 bytes with varied content, up to <paramref name="bytes"/>; returns the line count.</summary>
    public static long Jsonl(string path, long bytes)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var buffer = new byte[1 << 20];
        long written = 0, lines = 0;
        var pos = 0;
        while (written < bytes)
        {
            var line = Encoding.ASCII.GetBytes(
                $"{{\"id\":{lines},\"user\":\"u{lines * 7919 % 100003}\",\"score\":{lines % 1000 / 7.0:F3},\"text\":\"record {lines} of the benchmark input, padded\"}}\n");
            if (pos + line.Length > buffer.Length)
            {
                file.Write(buffer, 0, pos);
                pos = 0;
            }
            line.CopyTo(buffer, pos);
            pos += line.Length;
            written += line.Length;
            lines++;
        }
        file.Write(buffer, 0, pos);
        return lines;
    }

    /// <summary>CSV with a header, quoted fields holding delimiters, quotes and newlines; returns the record count.</summary>
    public static long Csv(string path, long bytes)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("id,user,score,comment\n");
        long written = 0, records = 0;
        while (written < bytes)
        {
            var comment = records % 10 == 0 ? "\"said \"\"hi\"\",\nthen left\"" : $"plain comment {records}";
            var line = $"{records},u{records * 7919 % 100003},{records % 1000 / 7.0:F3},{comment}\n";
            writer.Write(line);
            written += line.Length;
            records++;
        }
        return records;
    }

    /// <summary>Parquet with int, string, nullable double and list columns in row groups of <paramref name="rowGroup"/> rows.</summary>
    public static async Task<long> ParquetAsync(string path, long rows, int rowGroup)
    {
        var schema = new ParquetSchema(new DataField<long>("id"), new DataField<string>("user"), new DataField<double?>("score"), new DataField<int[]>("tags"));
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, file, null, false, CancellationToken.None);
        for (long start = 0; start < rows; start += rowGroup)
        {
            var n = (int)Math.Min(rowGroup, rows - start);
            var ids = new long[n];
            var users = new string?[n];
            var scores = new double?[n];
            var tags = new List<int>();
            var reps = new List<int>();
            for (var i = 0; i < n; i++)
            {
                var id = start + i;
                ids[i] = id;
                users[i] = id % 5 == 0 ? null : $"u{id * 7919 % 100003}";
                scores[i] = id % 7 == 0 ? null : id / 3.0;
                for (var t = 0; t <= id % 3; t++) { tags.Add((int)(id % 1000) + t); reps.Add(t == 0 ? 0 : 1); }
            }
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync<long>(schema.DataFields[0], ids, null, null, CancellationToken.None);
            await rg.WriteAsync(schema.DataFields[1], users, null);
            await rg.WriteAsync<double>(schema.DataFields[2], scores, null, null, CancellationToken.None);
            await rg.WriteAsync<int>(schema.DataFields[3], tags.ToArray(), reps.ToArray(), null, CancellationToken.None);
        }
        return rows;
    }
}
