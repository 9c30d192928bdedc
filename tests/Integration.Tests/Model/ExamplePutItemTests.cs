using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Loading;
using Coordinator.Model.Spec;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Testing;

namespace Coordinator.Integration.Tests.Model;

/// <summary>
/// Each example's job.json, written with the real AWS CLI exactly as the docs tell users
/// (<c>aws dynamodb put-item --item file://job.json</c>) against moto, decodes to the same job as its job.yaml.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class ExamplePutItemTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private ProvisionedStack _stack = null!;

    public static TheoryData<string> Examples => new() { "wordcount", "csv-prices", "local-files" };

    public async Task InitializeAsync() => _stack = await fixture.ProvisionAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task The_example_item_put_with_the_aws_cli_decodes_to_the_same_job_as_its_yaml(string example)
    {
        var put = await AwsCli.RunAsync(fixture.EndpointUrl,
            "dynamodb", "put-item", "--table-name", _stack.Options.JobsTable, "--item", "file://" + RepoFiles.Path("examples", example, "job.json"));
        put.EnsureSuccess();
        var fromYaml = await new JobLoader(InMemoryTemplateSource.Empty)
            .LoadFileAsync(RepoFiles.Path("examples", example, "job.yaml"), LocalSpecFiles.Instance, [], CancellationToken.None);
        Assert.Empty(fromYaml.Errors);

        var item = (await _stack.DynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = _stack.Options.JobsTable,
            Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = fromYaml.Job.Name } },
            ConsistentRead = true,
        })).Item;
        var fromItem = JobItemCodec.Decode(item);

        Assert.Empty(fromItem.DecodeErrors);
        Assert.Equal(fromYaml.Job.Name, fromItem.Name);
        Assert.Equal(fromYaml.Job.Labels.OrderBy(kv => kv.Key), fromItem.Labels.OrderBy(kv => kv.Key));
        Assert.Equal(SpecHash.CanonicalJson(fromYaml.Job.Spec), SpecHash.CanonicalJson(fromItem.Spec));
        Assert.Equal(SpecHash.Compute(fromYaml.Job.Spec), SpecHash.Compute(fromItem.Spec));
    }
}
