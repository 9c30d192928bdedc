using System.Text.Json;
using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Configuration;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Testing;
using YamlDotNet.RepresentationModel;

namespace Coordinator.Integration.Tests.Deploy;

/// <summary>
/// deploy/cloudformation/coordinator.yaml has the shape `coordinator init` creates (keys from StackLayout, on-demand
/// billing, NEW_AND_OLD_IMAGES streams, the bucket), its references resolve, and it really deploys: created on moto
/// with `aws cloudformation create-stack`, `coordinator init` then finds every table and the bucket as they must be.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class CloudFormationTests(LocalStackFixture stack)
{
    private static string TemplatePath => RepoFiles.Path("deploy", "cloudformation", "coordinator.yaml");

    [Fact]
    public void Template_TablesMatchStackLayoutWithStreamsAndOnDemandBillingAndTheBucketExists()
    {
        var template = CloudFormationTemplate.Load(TemplatePath);
        Assert.Equal("2010-09-09", CloudFormationTemplate.Scalar(template.Root, "AWSTemplateFormatVersion"));
        var parameters = template.Section("Parameters");
        var tables = template.Resources("AWS::DynamoDB::Table").ToList();
        Assert.Equal(3, tables.Count);

        // Defaults of the table-name parameters are CoordinatorOptions' defaults, so the layout can be looked up by name.
        var expected = StackLayout.Tables(new CoordinatorOptions()).ToDictionary(t => t.Name);
        foreach (var (name, table) in tables)
        {
            var tableName = CloudFormationTemplate.Node(table, "Properties", "TableName")!;
            Assert.Equal("!Ref", tableName.Tag.Value);
            var parameter = ((YamlScalarNode)tableName).Value!;
            var defaultName = CloudFormationTemplate.Scalar(parameters, parameter, "Default")!;
            Assert.True(expected.TryGetValue(defaultName, out var layout), $"{name}: default table name {defaultName} is not one of CoordinatorOptions' tables");

            Assert.Equal("PAY_PER_REQUEST", CloudFormationTemplate.Scalar(table, "Properties", "BillingMode"));
            Assert.Equal(StackLayout.StreamViewType, CloudFormationTemplate.Scalar(table, "Properties", "StreamSpecification", "StreamViewType"));
            Assert.Equal("Retain", CloudFormationTemplate.Scalar(table, "DeletionPolicy"));
            Assert.Equal(layout!.DescribeKeys(), DescribeKeys(table));
        }

        var bucket = Assert.Single(template.Resources("AWS::S3::Bucket"));
        Assert.Equal("BucketName", ((YamlScalarNode)CloudFormationTemplate.Node(bucket.Resource, "Properties", "BucketName")!).Value);
        Assert.Equal(new CoordinatorOptions().Bucket, CloudFormationTemplate.Scalar(parameters, "BucketName", "Default"));
        Assert.Equal("true", CloudFormationTemplate.Scalar(bucket.Resource, "Properties", "PublicAccessBlockConfiguration", "BlockPublicPolicy"));
    }

    [Fact]
    public void Template_EveryRefAndGetAttNamesAParameterOrResource()
    {
        var template = CloudFormationTemplate.Load(TemplatePath);
        var names = template.Section("Parameters").Children.Keys.Concat(template.Section("Resources").Children.Keys)
            .Select(k => ((YamlScalarNode)k).Value!).ToHashSet(StringComparer.Ordinal);
        var references = template.AllNodes().OfType<YamlScalarNode>()
            .Where(n => !n.Tag.IsEmpty && !n.Tag.IsNonSpecific && n.Tag.Value is "!Ref" or "!GetAtt")
            .Select(n => n.Tag.Value == "!GetAtt" ? n.Value!.Split('.')[0] : n.Value!)
            .ToList();
        Assert.True(references.Count >= 8, $"found only {references.Count} references");
        Assert.All(references, r => Assert.True(names.Contains(r) || r.StartsWith("AWS::", StringComparison.Ordinal), $"!Ref/!GetAtt {r} names nothing in the template"));
    }

    [Fact]
    public async Task Template_DeploysOnMotoAndCoordinatorInitAcceptsWhatItCreated()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var options = new CoordinatorOptions
        {
            JobsTable = $"cfn-jobs-{suffix}", TasksTable = $"cfn-tasks-{suffix}", LeasesTable = $"cfn-leases-{suffix}", Bucket = $"cfn-{suffix}",
        };
        var stackName = $"coordinator-{suffix}";
        using var dynamoDb = stack.MotoClients().CreateDynamoDb();
        using var s3 = stack.MotoClients().CreateS3();
        try
        {
            await AwsCli.RunJsonAsync(stack.EndpointUrl, "cloudformation", "create-stack", "--stack-name", stackName,
                "--template-body", $"file://{TemplatePath}", "--parameters",
                $"ParameterKey=JobsTableName,ParameterValue={options.JobsTable}", $"ParameterKey=TasksTableName,ParameterValue={options.TasksTable}",
                $"ParameterKey=LeasesTableName,ParameterValue={options.LeasesTable}", $"ParameterKey=BucketName,ParameterValue={options.Bucket}");
            var status = await WaitForStackAsync(stackName);
            Assert.True(status.GetProperty("StackStatus").GetString() == "CREATE_COMPLETE", status.ToString());

            var init = (await CoordinatorCli.RunAsync(
                ["init", $"--Coordinator:JobsTable={options.JobsTable}", $"--Coordinator:TasksTable={options.TasksTable}",
                 $"--Coordinator:LeasesTable={options.LeasesTable}", $"--Coordinator:Bucket={options.Bucket}"],
                new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = stack.EndpointUrl })).EnsureSuccess();
            foreach (var name in new[] { options.JobsTable, options.TasksTable, options.LeasesTable, options.Bucket })
            {
                Assert.Contains($"{name}: AlreadyExisted", init.StandardOutput);
            }
            var outputs = status.GetProperty("Outputs").EnumerateArray()
                .ToDictionary(o => o.GetProperty("OutputKey").GetString()!, o => o.GetProperty("OutputValue").GetString()!);
            Assert.Contains($"COORDINATOR__TASKSTABLE={options.TasksTable}", outputs["EnvironmentFile"], StringComparison.Ordinal);
            Assert.Contains($"table/{options.JobsTable}/stream/", outputs["JobsStreamArn"], StringComparison.Ordinal);
        }
        finally
        {
            await AwsCli.RunAsync(stack.EndpointUrl, "cloudformation", "delete-stack", "--stack-name", stackName);
            // DeletionPolicy: Retain keeps the tables and bucket after the stack; remove them ourselves.
            await Coordinator.Testing.Provisioning.StackTeardown.DeleteAsync(dynamoDb, s3, options, CancellationToken.None);
        }
    }

    private async Task<JsonElement> WaitForStackAsync(string stackName)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var stacks = await AwsCli.RunJsonAsync(stack.EndpointUrl, "cloudformation", "describe-stacks", "--stack-name", stackName);
            var current = stacks.GetProperty("Stacks")[0];
            if (!current.GetProperty("StackStatus").GetString()!.EndsWith("_IN_PROGRESS", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return current;
            }
            await Task.Delay(500);
        }
    }

    /// <summary>The template's key schema in TableDefinition.DescribeKeys' form: "job (S, HASH), index (N, RANGE)".</summary>
    private static string DescribeKeys(YamlMappingNode table)
    {
        var types = ((YamlSequenceNode)CloudFormationTemplate.Node(table, "Properties", "AttributeDefinitions")!)
            .ToDictionary(a => CloudFormationTemplate.Scalar(a, "AttributeName")!, a => CloudFormationTemplate.Scalar(a, "AttributeType")!);
        return string.Join(", ", ((YamlSequenceNode)CloudFormationTemplate.Node(table, "Properties", "KeySchema")!)
            .Select(k => (Name: CloudFormationTemplate.Scalar(k, "AttributeName")!, Kind: CloudFormationTemplate.Scalar(k, "KeyType")!))
            .Select(k => $"{k.Name} ({types[k.Name]}, {k.Kind})"));
    }
}
