using System.Text;
using Coordinator.Data.Layout;
using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;
using Coordinator.Model.Manifests;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Tests.Partitioning;

/// <summary>A temporary file:// data root with helpers to write inputs and run the partitioner over them.</summary>
public sealed class PartitionFixture : IDisposable
{
    public PartitionFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "coord-part-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, "in"));
    }

    public string Root { get; }
    public FileObjectStore Store { get; } = new();
    /// <summary>Each run gets a fresh generation, so runs in one test never see each other's manifests.</summary>
    public long Generation { get; set; }
    public JobLayout Layout => new(new Uri(Root + "/out/"), "job", Generation);

    public Uri Input(string name) => new(Path.Combine(Root, "in", name));
    public Uri InputPrefix => new(Path.Combine(Root, "in") + "/");

    public void Write(string name, string text) => File.WriteAllText(Input(name).LocalPath, text, new UTF8Encoding(false));
    public void Write(string name, byte[] bytes) => File.WriteAllBytes(Input(name).LocalPath, bytes);

    public static Job Job(Uri input, InputFormat format, long? maxRecords, long? maxBytes = null) => new()
    {
        Name = "job",
        Generation = 1,
        SpecHash = "h",
        Spec = new JobSpec
        {
            Input = new InputSpec { Uri = input.ToString(), Format = format },
            Batching = new BatchingSpec { MaxRecords = maxRecords, MaxBytes = maxBytes },
        },
    };

    public Task<PartitionResult> RunAsync(Job job, bool validate = true, bool sameGeneration = false)
    {
        if (!sameGeneration)
            Generation++;
        job.Spec.Input.Validate = validate;
        return new Partitioner(Store).RunAsync(job, Layout, CancellationToken.None);
    }

    public static string ReadBatch(Batch batch) => File.ReadAllText(new Uri(batch.Key).LocalPath);

    public void Dispose()
    {
        foreach (var f in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
            File.SetAttributes(f, FileAttributes.Normal);
        Directory.Delete(Root, recursive: true);
    }
}
