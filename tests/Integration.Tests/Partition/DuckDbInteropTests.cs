using System.Diagnostics;
using System.Text.Json;
using Coordinator.Data.Layout;
using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;

namespace Coordinator.Integration.Tests.Partition;

/// <summary>
/// Parquet interop with an independent implementation, DuckDB (npm @duckdb/node-api, installed into a temp dir at
/// test time): DuckDB writes a file with nulls and list columns in row groups of 300; we split it into batches of 250
/// rows; DuckDB reads our batches back and finds exactly its rows. Skipped, with the reason, when node/npm or the
/// package are unavailable.
/// </summary>
public sealed class DuckDbInteropTests : IDisposable
{
    private const string Package = "@duckdb/node-api@1.5.6-r.1";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "coord-duckdb-" + Guid.NewGuid().ToString("N")[..8]);

    public DuckDbInteropTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public async Task Parquet_written_by_duckdb_is_split_into_batches_duckdb_reads_back_row_for_row()
    {
        var install = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", _dir, Package], TimeSpan.FromMinutes(5));
        Skip.If(install.Code != 0, $"cannot install {Package} with npm (exit {install.Code}): {install.Stderr}");

        var source = Path.Combine(_dir, "duck.parquet");
        var write = await NodeAsync($$"""
            await c.run(`COPY (SELECT i::INTEGER AS id, CASE WHEN i % 3 = 0 THEN NULL ELSE 'name-' || i END AS name,
                CASE WHEN i % 5 = 0 THEN NULL ELSE i / 4.0 END AS score, CASE WHEN i % 7 = 0 THEN [] ELSE [i, i + 1] END AS tags
                FROM range(1000) t(i)) TO '{{source}}' (FORMAT parquet, ROW_GROUP_SIZE 300)`);
            console.log('{}');
            """);
        Assert.True(write.Code == 0, write.Stderr);

        var job = new Job
        {
            Name = "duck",
            Generation = 1,
            SpecHash = "h",
            Spec = new JobSpec
            {
                Input = new InputSpec { Uri = new Uri(source).ToString(), Format = InputFormat.Parquet },
                Batching = new BatchingSpec { MaxRecords = 250 },
            },
        };
        var result = await new Partitioner(new FileObjectStore()).RunAsync(job, new JobLayout(new Uri(_dir + "/out/"), "duck", 1), CancellationToken.None);
        Assert.Equal(1000, result.Manifest.TotalRecords);
        Assert.Equal([250L, 250L, 250L, 250L], result.Manifest.Batches.Select(b => b.RecordCount));

        var files = string.Join(", ", result.Manifest.Batches.Select(b => $"'{new Uri(b.Key).LocalPath}'"));
        var compare = await NodeAsync($$"""
            const q = async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJson()[0];
            const ours = `read_parquet([{{files}}])`;
            const theirs = `read_parquet('{{source}}')`;
            const out = {
              ourRows: (await q(`SELECT count(*)::INTEGER AS n FROM ${ours}`)).n,
              missing: (await q(`SELECT count(*)::INTEGER AS n FROM (SELECT * FROM ${theirs} EXCEPT ALL SELECT * FROM ${ours})`)).n,
              extra: (await q(`SELECT count(*)::INTEGER AS n FROM (SELECT * FROM ${ours} EXCEPT ALL SELECT * FROM ${theirs})`)).n,
              nullNames: (await q(`SELECT count(*)::INTEGER AS n FROM ${ours} WHERE name IS NULL`)).n,
              emptyLists: (await q(`SELECT count(*)::INTEGER AS n FROM ${ours} WHERE len(tags) = 0`)).n,
            };
            console.log(JSON.stringify(out));
            """);
        Assert.True(compare.Code == 0, compare.Stderr);
        var figures = JsonDocument.Parse(compare.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(1000, figures.GetProperty("ourRows").GetInt32());
        Assert.Equal(0, figures.GetProperty("missing").GetInt32());
        Assert.Equal(0, figures.GetProperty("extra").GetInt32());
        Assert.Equal(334, figures.GetProperty("nullNames").GetInt32());
        Assert.Equal(143, figures.GetProperty("emptyLists").GetInt32());
    }

    private Task<(int Code, string Stdout, string Stderr)> NodeAsync(string body)
    {
        var script = Path.Combine(_dir, $"s{Guid.NewGuid():N}.mjs");
        File.WriteAllText(script, $"""
            import {"{"} DuckDBInstance {"}"} from '{Path.Combine(_dir, "node_modules", "@duckdb", "node-api", "lib", "index.js")}';
            const db = await DuckDBInstance.create(':memory:');
            const c = await db.connect();
            {body}
            """);
        return RunAsync("node", [script], TimeSpan.FromMinutes(2));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Skip.If(true, $"{file} is not installed: {e.Message}");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            await process.WaitForExitAsync(cts.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
