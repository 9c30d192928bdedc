using Coordinator.Controllers.Configuration;
using Coordinator.Data.Storage;

namespace Coordinator.Controllers.Tests.Storage;

/// <summary>Coordinator:FileRoots: the defaults, symlinks followed, the store's check at each access, validation's message.</summary>
public sealed class FileRootsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coord-roots-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void By_default_the_root_is_the_directory_of_a_file_data_root_and_none_for_an_s3_data_root()
    {
        Assert.Equal(["/srv/data"], FileRoots.For(null, new Uri("file:///srv/data/coordinator/")).Roots);
        Assert.Empty(FileRoots.For(null, new Uri("s3://bucket")).Roots);
        Assert.Equal("file:///x/y is outside the allowed file roots (Coordinator:FileRoots = none)",
            UriConfinement.Check("file:///x/y", FileRoots.For(null, new Uri("s3://bucket"))));
        Assert.Equal(["/a", "/b"], FileRoots.For(["/a/", "file:///b"], new Uri("s3://bucket")).Roots);
    }

    [Fact]
    public void Validation_refuses_input_and_output_outside_the_roots_with_the_settings_value()
    {
        var options = new CoordinatorOptions { FileRoots = ["/srv/data"] };
        var job = new Coordinator.Model.Spec.Job { Name = "x" };
        job.Spec.Input.Uri = "file:///etc/x";
        job.Spec.Output.Uri = "file:///srv/data/out/";
        job.Spec.Handler.Command = ["cat"];

        var errors = ValidationController.Errors(job, options);

        Assert.Contains("spec.input.uri: file:///etc/x is outside the allowed file roots (Coordinator:FileRoots = /srv/data)", errors);
        Assert.DoesNotContain(errors, e => e.StartsWith("spec.output.uri", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("s3://bkt", "s3://bkt/jobs/x/", "s3://bkt/jobs/")]
    [InlineData("s3://bkt", "s3://bkt/%6Aobs/x/1/results/", "s3://bkt/jobs/")]
    [InlineData("s3://bkt", "s3://bkt//jobs/x/", "s3://bkt/jobs/")]
    [InlineData("s3://bkt/deep/", "s3://bkt/deep/jobs/x", "s3://bkt/deep/jobs/")]
    [InlineData("file:///srv/data/coordinator/", "file:///srv/data/coordinator/out/", "file:///srv/data/coordinator/")]
    [InlineData("s3://bkt", "s3://bkt/out/", null)]
    [InlineData("s3://bkt", "s3://other/jobs/x/", null)]
    [InlineData("s3://bkt/deep/", "s3://bkt/jobs/x/", null)]
    [InlineData("file:///srv/data/coordinator/", "file:///srv/data/out/", null)]
    public void An_output_inside_the_coordinators_data_is_refused_naming_the_data_root(string dataRoot, string output, string? refusedAs)
    {
        var options = new CoordinatorOptions { DataRoot = dataRoot, FileRoots = ["/srv/data"] };
        var job = new Coordinator.Model.Spec.Job { Name = "x" };
        job.Spec.Input.Uri = "s3://bkt/in/";
        job.Spec.Output.Uri = output;
        job.Spec.Handler.Command = ["cat"];

        var errors = ValidationController.Errors(job, options).Where(e => e.StartsWith("spec.output.uri", StringComparison.Ordinal));

        if (refusedAs is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal($"spec.output.uri: {output} is inside the coordinator's data root ({refusedAs}): a job's output may not be written there", Assert.Single(errors));
        }
    }

    [Fact]
    public async Task The_store_refuses_a_symlink_inside_a_root_that_leads_outside_at_read_list_and_write()
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir, "root")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(_dir, "outside")).FullName;
        await File.WriteAllTextAsync(Path.Combine(outside, "secret"), "secret");
        await File.WriteAllTextAsync(Path.Combine(root, "ok"), "ok");
        File.CreateSymbolicLink(Path.Combine(root, "link"), Path.Combine(outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(root, "dirlink"), outside);
        var store = new FileObjectStore(flushToDisk: false, new FileRoots([root]));

        await using (var ok = await store.OpenReadAsync(new Uri(Path.Combine(root, "ok")), default))
        {
            Assert.Equal("ok", await new StreamReader(ok).ReadToEndAsync());
        }
        var read = await Assert.ThrowsAsync<ObjectStoreException>(() => store.OpenReadAsync(new Uri(Path.Combine(root, "link")), default));
        Assert.Equal(ObjectStoreErrorKind.AccessDenied, read.Kind);
        Assert.Contains($"it resolves to {Path.Combine(outside, "secret")}, which is outside the allowed file roots (Coordinator:FileRoots = {root})", read.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ObjectStoreException>(() => store.OpenWriteAsync(new Uri(Path.Combine(root, "dirlink", "new")), default));
        await Assert.ThrowsAsync<ObjectStoreException>(async () =>
        {
            await foreach (var _ in store.ListAsync(new Uri(root + "/"), default))
            {
            }
        });
        Assert.Null(UriConfinement.Check($"file://{root}/ok", new FileRoots([root])));
        Assert.NotNull(UriConfinement.Check($"file://{root}/dirlink/x", new FileRoots([root])));
    }
}
