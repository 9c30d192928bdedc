using System.Text.Json;
using Coordinator.Aws.Items;
using Coordinator.Model.Documents;
using Coordinator.Model.Loading;
using Coordinator.Model.Spec;
using Coordinator.Testing.Generators;
using Coordinator.Model.Validation;
using CsCheck;

namespace Coordinator.Aws.Tests.Items;

/// <summary>
/// Round trips, property-tested over generated valid jobs. Equality is judged by System.Text.Json, which knows
/// nothing of our codecs, so a codec cannot agree with itself about a wrong answer.
/// </summary>
public class RoundTripPropertyTests
{
    private static string Json(object value)
    {
        if (value is JobSpec spec)
        {
            // Dictionaries compare by content, not enumeration order.
            var copy = JsonSerializer.Deserialize<JobSpec>(JsonSerializer.Serialize(spec))!;
            copy.Handler.Env = copy.Handler.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary();
            return JsonSerializer.Serialize(copy);
        }
        return JsonSerializer.Serialize(value);
    }

    [Fact]
    public void Generated_jobs_are_valid_so_the_round_trips_below_test_real_jobs()
    {
        SpecGenerators.Job.Sample(job => Assert.True(JobSpecValidator.Validate(job).Count == 0, string.Join("\n", JobSpecValidator.Validate(job))), iter: 300);
    }

    [Fact]
    public void Model_to_item_to_model_gives_back_the_same_job_with_no_errors()
    {
        SpecGenerators.Job.Sample(job =>
        {
            var back = JobItemCodec.Decode(JobItemCodec.EncodeNew(job));

            Assert.Empty(back.DecodeErrors);
            Assert.Equal(job.Name, back.Name);
            Assert.Equal(Json(job.Labels.OrderBy(kv => kv.Key)), Json(back.Labels.OrderBy(kv => kv.Key)));
            Assert.Equal(Json(job.Spec), Json(back.Spec));
        }, iter: 500);
    }

    [Fact]
    public void Model_to_yaml_to_model_gives_back_the_same_job_and_the_same_yaml()
    {
        SpecGenerators.Job.Sample(job =>
        {
            var yaml = YamlWriter.Write(JobDocument.Write(job));

            var loaded = new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, [], CancellationToken.None).GetAwaiter().GetResult();

            Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors) + "\n" + yaml);
            Assert.Equal(Json(job.Spec), Json(loaded.Job.Spec));
            Assert.Equal(Json(job.Labels.OrderBy(kv => kv.Key)), Json(loaded.Job.Labels.OrderBy(kv => kv.Key)));
            Assert.Equal(yaml, YamlWriter.Write(JobDocument.Write(loaded.Job)));
        }, iter: 500);
    }

    [Fact]
    public void The_item_written_as_specYaml_decodes_to_the_same_spec_as_the_map()
    {
        SpecGenerators.Job.Sample(job =>
        {
            var item = JobItemCodec.EncodeNew(job);
            item.Remove("spec");
            item["specYaml"] = new Amazon.DynamoDBv2.Model.AttributeValue { S = YamlWriter.Write(Coordinator.Model.Spec.Schema.JobSpecSchema.Write(job.Spec)) };

            var back = JobItemCodec.Decode(item);

            Assert.True(back.DecodeErrors.Count == 0, string.Join("\n", back.DecodeErrors) + "\n" + item["specYaml"].S);
            Assert.Equal(SpecHash.Compute(job.Spec), SpecHash.Compute(back.Spec));
        }, iter: 300);
    }

    [Fact]
    public void The_spec_hash_survives_the_item_round_trip_and_changes_with_any_field()
    {
        SpecGenerators.Job.Sample(job =>
        {
            var hash = SpecHash.Compute(job.Spec);
            var back = JobItemCodec.Decode(JobItemCodec.EncodeNew(job));
            Assert.Equal(hash, SpecHash.Compute(back.Spec));

            back.Spec.Slurm.MaxConcurrent = back.Spec.Slurm.MaxConcurrent == 1 ? 2 : 1;
            Assert.NotEqual(hash, SpecHash.Compute(back.Spec));
        }, iter: 200);
    }
}
