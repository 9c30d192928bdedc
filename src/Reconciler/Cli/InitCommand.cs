using System.CommandLine;
using Amazon.Runtime;
using Coordinator.Aws.Provisioning;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator init`: creates the jobs, tasks and leases tables (each with a NEW_AND_OLD_IMAGES stream) and the bucket.
/// Idempotent, so it is safe in provisioning scripts and in ./demo; endpoints come from AWS_ENDPOINT_URL (or the
/// service-specific AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3) and credentials from the standard chain.
/// </summary>
public sealed class InitCommand : ICliCommand
{
    public Command Build()
    {
        var command = new Command("init",
            "Create the DynamoDB tables (with NEW_AND_OLD_IMAGES streams) and the S3 bucket Coordinator needs. " +
            "Safe to run again: existing resources are kept, a missing stream is enabled. " +
            "Settings override as --Coordinator:JobsTable=name, --Coordinator:Bucket=name, ...");
        command.AcceptOverrides();
        command.SetAction(async (ParseResult parseResult, CancellationToken ct) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                using var session = new CliSession(parseResult);
                var options = session.Options;
                var factory = session.Aws;
                using var dynamoDb = factory.CreateDynamoDb();
                using var s3 = factory.CreateS3();
                await output.WriteLineAsync(
                    $"Provisioning in {factory.Region.SystemName} " +
                    $"(DynamoDB: {Describe(dynamoDb.Config)}, S3: {Describe(s3.Config)})").ConfigureAwait(false);
                var steps = await new StackProvisioner(dynamoDb, s3).EnsureAsync(options, ct).ConfigureAwait(false);
                foreach (var step in steps)
                {
                    await output.WriteLineAsync("  " + step).ConfigureAwait(false);
                }
                return ExitCodes.Success;
            }
            catch (Exception e) when (ExitCodes.For(e) is { } code)
            {
                await error.WriteLineAsync(SpecVerbRunner.FailureMessage("init", e, code)).ConfigureAwait(false);
                return code;
            }
        });
        return command;
    }

    private static string Describe(IClientConfig config) => config.ServiceURL ?? "AWS";
}
