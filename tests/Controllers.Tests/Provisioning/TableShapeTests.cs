using Coordinator.Aws.Provisioning;
using Coordinator.Controllers.Configuration;

namespace Coordinator.Controllers.Tests.Provisioning;

public sealed class TableShapeTests
{
    private static readonly TableDefinition Tasks = StackLayout.Tables(new CoordinatorOptions())[1];

    [Fact]
    public void Matching_hash_and_range_keys_are_accepted_in_any_order()
    {
        Assert.Null(TableShape.KeySchemaMismatch(Tasks, [("index", "N", "RANGE"), ("job", "S", "HASH")]));
    }

    [Fact]
    public void A_range_key_of_the_wrong_type_is_a_mismatch_naming_table_actual_and_expected()
    {
        var message = TableShape.KeySchemaMismatch(Tasks, [("job", "S", "HASH"), ("index", "S", "RANGE")]);

        Assert.Equal(
            "table coordinator-tasks exists with key schema [job (S, HASH), index (S, RANGE)] but Coordinator needs " +
            "[job (S, HASH), index (N, RANGE)]; delete it or configure another table name (Coordinator:JobsTable / TasksTable / LeasesTable)",
            message);
    }

    [Fact]
    public void A_missing_range_key_is_a_mismatch()
    {
        Assert.NotNull(TableShape.KeySchemaMismatch(Tasks, [("job", "S", "HASH")]));
    }

    [Fact]
    public void An_extra_range_key_on_a_hash_only_table_is_a_mismatch()
    {
        var jobs = StackLayout.Tables(new CoordinatorOptions())[0];

        Assert.NotNull(TableShape.KeySchemaMismatch(jobs, [("name", "S", "HASH"), ("version", "N", "RANGE")]));
    }

    [Theory]
    [InlineData(null, null, StreamChange.Enable)]
    [InlineData(false, null, StreamChange.Enable)]
    [InlineData(true, "KEYS_ONLY", StreamChange.Replace)]
    [InlineData(true, "NEW_IMAGE", StreamChange.Replace)]
    [InlineData(true, "NEW_AND_OLD_IMAGES", StreamChange.None)]
    public void Stream_change_turns_any_stream_into_an_enabled_new_and_old_images_stream(bool? enabled, string? viewType, StreamChange expected)
    {
        Assert.Equal(expected, TableShape.StreamChangeFor(enabled, viewType));
    }
}
