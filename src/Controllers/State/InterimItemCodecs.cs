using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

// TEMPORARY, to be deleted the moment the model engineer's codecs (src/Model/Items) are in main: the minimum the
// state store needs to build and be tested. Same namespace and signatures as the real codecs, so deleting this file
// is the whole switch-over.
namespace Coordinator.Model.Items;

public static class JobItemCodec
{
    public static Job Decode(Dictionary<string, AttributeValue> item)
    {
        var job = new Job { Name = item.TryGetValue("name", out var n) ? n.S ?? "" : "" };
        job.Version = Long(item, "version");
        job.Generation = Long(item, "generation");
        job.SpecHash = item.TryGetValue("specHash", out var h) ? h.S ?? "" : "";
        if (item.TryGetValue("spec", out var spec) && spec.M is { } m && m.TryGetValue("input", out var input) && input.M is { } im
            && im.TryGetValue("uri", out var uri))
        {
            job.Spec.Input.Uri = uri.S ?? "";
        }
        if (item.TryGetValue("status", out var status))
        {
            job.Status = DecodeStatus(status);
        }
        return job;
    }

    public static Dictionary<string, AttributeValue> EncodeNew(Job job) => new()
    {
        ["name"] = new() { S = job.Name },
        ["spec"] = new()
        {
            M = new() { ["input"] = new() { M = new() { ["uri"] = new() { S = job.Spec.Input.Uri } } } },
        },
    };

    public static AttributeValue EncodeStatus(JobStatus s) => new()
    {
        M = new()
        {
            ["phase"] = new() { S = s.Phase.ToString() },
            ["observedGeneration"] = new() { N = s.ObservedGeneration.ToString(CultureInfo.InvariantCulture) },
            ["message"] = new() { S = s.Message },
        },
    };

    public static JobStatus DecodeStatus(AttributeValue v)
    {
        var s = new JobStatus();
        if (v.M is not { } m)
        {
            return s;
        }
        if (m.TryGetValue("phase", out var p) && Enum.TryParse<JobPhase>(p.S, out var phase))
        {
            s.Phase = phase;
        }
        s.ObservedGeneration = Long(m, "observedGeneration");
        s.Message = m.TryGetValue("message", out var msg) ? msg.S ?? "" : "";
        return s;
    }

    private static long Long(Dictionary<string, AttributeValue> m, string key) =>
        m.TryGetValue(key, out var v) && v.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : 0;
}

public static class TaskItemCodec
{
    public static Dictionary<string, AttributeValue> Encode(JobTask t) => new()
    {
        ["job"] = new() { S = t.Job },
        ["index"] = new() { N = t.Index.ToString(CultureInfo.InvariantCulture) },
        ["generation"] = new() { N = t.Generation.ToString(CultureInfo.InvariantCulture) },
        ["state"] = new() { S = t.State.ToString() },
        ["attempt"] = new() { N = t.Attempt.ToString(CultureInfo.InvariantCulture) },
        ["inputKey"] = new() { S = t.InputKey },
        ["version"] = new() { N = t.Version.ToString(CultureInfo.InvariantCulture) },
    };

    public static JobTask Decode(Dictionary<string, AttributeValue> item) => new()
    {
        Job = item["job"].S,
        Index = int.Parse(item["index"].N, CultureInfo.InvariantCulture),
        Generation = long.Parse(item["generation"].N, CultureInfo.InvariantCulture),
        State = Enum.Parse<TaskState>(item["state"].S),
        Attempt = int.Parse(item["attempt"].N, CultureInfo.InvariantCulture),
        InputKey = item["inputKey"].S,
        Version = long.Parse(item["version"].N, CultureInfo.InvariantCulture),
    };
}
