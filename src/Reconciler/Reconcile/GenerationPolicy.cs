using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Coordinator.Model.Spec;

namespace Coordinator.Reconciler.Reconcile;

/// <summary>
/// Decides when a user's spec edit starts a new generation. The generation names the job's data layout
/// (<c>jobs/{name}/{generation}/…</c>), so a new one means partitioning and running again from the start. Most edits
/// must do exactly that, but a few fields are meant to be changed on a live job and are read live by the controllers:
/// <c>suspend</c>, <c>slurm.maxConcurrent</c> (the array throttle), <c>retryGeneration</c> (redrive of a Failed job),
/// <c>activeDeadline</c> and <c>ttlAfterFinished</c>. The stored <c>specHash</c> is therefore the model's canonical
/// spec hash computed without those fields; decode errors are folded in, so fixing an unreadable field counts as
/// an edit even when what could be read stayed the same.
/// </summary>
public static class GenerationPolicy
{
    /// <summary>Paths (in the canonical spec JSON) of the fields editable in place.</summary>
    public static IReadOnlyList<string> InPlaceFields { get; } =
        ["suspend", "retryGeneration", "activeDeadline", "ttlAfterFinished", "slurm.maxConcurrent"];

    /// <summary>The hash stored as <c>specHash</c>: what a change of makes a new generation.</summary>
    public static string IdentityHash(Job job)
    {
        var canonical = JsonNode.Parse(SpecHash.CanonicalJson(job.Spec))!.AsObject();
        foreach (var path in InPlaceFields)
        {
            var parts = path.Split('.');
            var parent = canonical;
            for (var i = 0; i < parts.Length - 1 && parent is not null; i++)
            {
                parent = parent[parts[i]] as JsonObject;
            }
            parent?.Remove(parts[^1]);
        }
        var text = new StringBuilder(canonical.ToJsonString());
        foreach (var error in job.DecodeErrors)
        {
            text.Append('\n').Append(error);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// The generation this pass works on, and whether it is new. <paramref name="floor"/> is the highest generation
    /// known to have been used before (e.g. from a task item), so a job whose item was replaced with a plain
    /// <c>put-item</c> (which drops the stored generation) never reuses an old generation's layout.
    /// </summary>
    public static (long Generation, string SpecHash, bool IsNew) Decide(Job job, long floor)
    {
        var hash = IdentityHash(job);
        if (job.Generation > 0 && string.Equals(job.SpecHash, hash, StringComparison.Ordinal))
        {
            return (job.Generation, hash, false);
        }
        return (Math.Max(job.Generation, floor) + 1, hash, true);
    }
}
