using System.Reflection;
using System.Xml.Linq;

namespace Coordinator.Reconciler.Tests.Architecture;

/// <summary>
/// The projects under src/ depend one way (docs/architecture.md draws it): Model ← Data ← Controllers ←
/// {Aws, Scheduling, Worker} ← Reconciler. Checked twice: the ProjectReferences each csproj declares, and the
/// assemblies each compiled project really references (a transitive reference used by mistake shows there). No
/// model, data-plane, controller, scheduler or worker code sees an AWS SDK type.
/// </summary>
public class DependencyDirectionTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Model"] = [],
        ["Data"] = ["Model"],
        ["Controllers"] = ["Model", "Data"],
        ["Aws"] = ["Model", "Data", "Controllers"],
        ["Scheduling"] = ["Model", "Data", "Controllers"],
        ["Worker"] = ["Model", "Data", "Controllers"],
        ["Reconciler"] = ["Model", "Data", "Controllers", "Aws", "Scheduling", "Worker"],
    };

    private static readonly string[] AwsFree = ["Model", "Data", "Controllers", "Scheduling", "Worker"];

    private static readonly Dictionary<string, Assembly> Assemblies = new(StringComparer.Ordinal)
    {
        ["Model"] = typeof(Model.Spec.Job).Assembly,
        ["Data"] = typeof(Data.Layout.JobLayout).Assembly,
        ["Controllers"] = typeof(Controllers.Pipeline.IJobController).Assembly,
        ["Aws"] = typeof(Aws.DynamoDb.DynamoStateStore).Assembly,
        ["Scheduling"] = typeof(Scheduling.Slurm.SlurmScheduler).Assembly,
        ["Worker"] = typeof(Worker.TaskWorker).Assembly,
        ["Reconciler"] = typeof(Coordinator.Reconciler.Reconcile.JobReconciler).Assembly,
    };

    public static TheoryData<string> Projects() => [.. Allowed.Keys];

    [Fact]
    public void Every_project_under_src_is_in_the_table()
    {
        var onDisk = Directory.GetDirectories(Path.Combine(RepositoryRoot(), "src"))
            .Where(d => Directory.GetFiles(d, "*.csproj").Length > 0)
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal);
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), onDisk);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_project_declares_references_only_in_the_allowed_direction(string project)
    {
        var csproj = XDocument.Load(Path.Combine(RepositoryRoot(), "src", project, $"Coordinator.{project}.csproj"));
        var declared = csproj.Descendants("ProjectReference")
            .Select(r => Path.GetFileName(Path.GetDirectoryName(r.Attribute("Include")!.Value.Replace('\\', '/')))!)
            .ToList();
        var forbidden = declared.Except(Allowed[project], StringComparer.Ordinal).ToList();
        Assert.True(forbidden.Count == 0, $"src/{project} references {string.Join(", ", forbidden)}; allowed: {string.Join(", ", Allowed[project])}");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_compiled_project_uses_only_the_projects_below_it(string project)
    {
        var used = Assemblies[project].GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Coordinator.", StringComparison.Ordinal))
            .Select(n => n["Coordinator.".Length..])
            .ToList();
        var forbidden = used.Except(Allowed[project], StringComparer.Ordinal).ToList();
        Assert.True(forbidden.Count == 0, $"Coordinator.{project} uses {string.Join(", ", forbidden)}; allowed: {string.Join(", ", Allowed[project])}");
    }

    [Fact]
    public void No_model_data_controller_scheduler_or_worker_code_sees_an_aws_sdk_type()
    {
        foreach (var project in AwsFree)
        {
            var aws = Assemblies[project].GetReferencedAssemblies().Where(a => a.Name!.StartsWith("AWSSDK", StringComparison.Ordinal)).ToList();
            Assert.True(aws.Count == 0, $"Coordinator.{project} references {string.Join(", ", aws.Select(a => a.Name))}");
            var csproj = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", project, $"Coordinator.{project}.csproj"));
            Assert.DoesNotContain("AWSSDK", csproj, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Namespaces_follow_the_project_they_live_in()
    {
        foreach (var (project, assembly) in Assemblies)
        {
            var prefix = project == "Reconciler" ? "Coordinator.Reconciler" : $"Coordinator.{project}";
            var strays = assembly.GetTypes()
                .Where(t => t.Namespace is { } ns && ns.StartsWith("Coordinator", StringComparison.Ordinal) && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
                .Where(t => t.Namespace != prefix && !t.Namespace!.StartsWith(prefix + ".", StringComparison.Ordinal))
                .Select(t => t.FullName)
                .ToList();
            Assert.True(strays.Count == 0, $"in Coordinator.{project}: {string.Join(", ", strays)}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Coordinator.sln above {AppContext.BaseDirectory}");
    }
}
