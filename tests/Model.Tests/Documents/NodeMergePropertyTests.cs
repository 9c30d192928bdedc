using Coordinator.Model.Documents;
using CsCheck;

namespace Coordinator.Model.Tests.Documents;

/// <summary>
/// The merge rule, property-tested on random trees whose keys come from a small alphabet so that base and overlay
/// collide often: maps merge deeply, lists and scalars replace.
/// </summary>
public class NodeMergePropertyTests
{
    private static readonly Gen<SpecNode> Scalar = Gen.OneOf<SpecNode>(
        Gen.Int[0, 5].Select(i => (SpecNode)ScalarNode.Number(i)),
        Gen.OneOfConst("x", "y", "z").Select(s => (SpecNode)ScalarNode.String(s)),
        Gen.Const<SpecNode>(ScalarNode.Null()));

    private static readonly Gen<SpecNode> Tree = Gen.Recursive<SpecNode>((depth, tree) => depth >= 3
        ? Scalar
        : Gen.Frequency<SpecNode>(
            (3, Scalar),
            (1, tree.Array[0, 3].Select(items => (SpecNode)new ListNode(items))),
            (4, Gen.Select(Gen.OneOfConst("a", "b", "c", "d"), tree).Array[0, 4].Select(Map))));

    private static readonly Gen<SpecNode> MapTree = Gen.Select(Gen.OneOfConst("a", "b", "c", "d"), Tree).Array[0, 4].Select(Map);

    private static SpecNode Map((string, SpecNode)[] entries)
    {
        var map = new MapNode();
        foreach (var (key, value) in entries)
        {
            map.Set(key, value);
        }
        return map;
    }

    /// <summary>Structural form for comparison: maps as sorted key lists, so key order does not matter.</summary>
    private static string Show(SpecNode node) => node switch
    {
        MapNode m => "{" + string.Join(",", m.Entries.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + ":" + Show(kv.Value))) + "}",
        ListNode l => "[" + string.Join(",", l.Items.Select(Show)) + "]",
        ScalarNode s => $"{s.Kind}({s.Value})",
        _ => "?",
    };

    [Fact]
    public void Every_key_of_the_overlay_wins_over_the_base_except_where_both_are_maps()
    {
        Gen.Select(MapTree, MapTree).Sample((b, o) =>
        {
            var merged = (MapNode)NodeMerge.Merge(b, o);
            foreach (var (key, value) in ((MapNode)o).Entries)
            {
                if (value is MapNode && ((MapNode)b)[key] is MapNode)
                {
                    Assert.Equal(Show(NodeMerge.Merge(((MapNode)b)[key], value)), Show(merged[key]!));
                }
                else
                {
                    Assert.Equal(Show(value), Show(merged[key]!));
                }
            }
        });
    }

    [Fact]
    public void Keys_only_in_the_base_are_kept_unchanged()
    {
        Gen.Select(MapTree, MapTree).Sample((b, o) =>
        {
            var merged = (MapNode)NodeMerge.Merge(b, o);
            foreach (var (key, value) in ((MapNode)b).Entries.Where(kv => !((MapNode)o).ContainsKey(kv.Key)))
            {
                Assert.Equal(Show(value), Show(merged[key]!));
            }
            Assert.Equal(((MapNode)b).Keys.Union(((MapNode)o).Keys).Count(), merged.Count);
        });
    }

    [Fact]
    public void A_list_in_the_overlay_replaces_the_base_list_whole()
    {
        Gen.Select(Tree.Array[0, 3], Tree.Array[0, 3]).Sample((baseItems, overlayItems) =>
        {
            var b = new MapNode().Set("l", new ListNode(baseItems));
            var o = new MapNode().Set("l", new ListNode(overlayItems));

            var merged = (MapNode)NodeMerge.Merge(b, o);

            Assert.Equal(Show(new ListNode(overlayItems)), Show(merged["l"]!));
        });
    }

    /// <summary>
    /// Trees shaped like a spec: a key always holds the same kind of node (as a schema field does). Where a key is a
    /// map in one layer and a scalar in another, a middle scalar resets the key and grouping matters; that is why
    /// templates, extends and --set are folded strictly in order, lowest precedence first.
    /// </summary>
    private static readonly Gen<SpecNode> Shaped = Gen.Recursive<SpecNode>((depth, tree) =>
        Gen.Select(
            tree.Null(depth >= 2 ? 1.0 : 0.4), tree.Null(depth >= 2 ? 1.0 : 0.6),
            Scalar.Array[0, 3].Null(0.5), Scalar.Null(0.4),
            (m1, m2, l, s) =>
            {
                var map = new MapNode();
                if (m1 is not null) { map.Set("m1", m1); }
                if (m2 is not null) { map.Set("m2", m2); }
                if (l is not null) { map.Set("l", new ListNode(l)); }
                if (s is not null) { map.Set("s", s); }
                return (SpecNode)map;
            }));

    [Fact]
    public void On_spec_shaped_trees_merging_is_associative_so_a_chain_folds_to_one_answer()
    {
        Gen.Select(Shaped, Shaped, Shaped).Sample((a, b, c) =>
            Assert.Equal(Show(NodeMerge.Merge(NodeMerge.Merge(a, b), c)), Show(NodeMerge.Merge(a, NodeMerge.Merge(b, c)))));
    }

    [Fact]
    public void Merging_the_same_base_again_changes_nothing()
    {
        Gen.Select(Tree, Tree).Sample((b, o) =>
        {
            var once = NodeMerge.Merge(b, o);
            Assert.Equal(Show(once), Show(NodeMerge.Merge(b, once)));
        });
    }

    [Fact]
    public void Merge_never_modifies_its_inputs()
    {
        Gen.Select(Tree, Tree).Sample((b, o) =>
        {
            var (before, overlayBefore) = (Show(b), Show(o));
            var merged = NodeMerge.Merge(b, o);
            if (merged is MapNode m)
            {
                m.Set("mutated", ScalarNode.String("!"));
            }
            Assert.Equal(before, Show(b));
            Assert.Equal(overlayBefore, Show(o));
        });
    }

    [Fact]
    public void An_explicit_null_in_the_overlay_resets_the_field()
    {
        var b = new MapNode().Set("slurm", new MapNode().Set("gres", ScalarNode.String("gpu:1")).Set("memory", ScalarNode.String("2G")));
        var o = new MapNode().Set("slurm", new MapNode().Set("gres", ScalarNode.Null()));

        var merged = (MapNode)((MapNode)NodeMerge.Merge(b, o))["slurm"]!;

        Assert.True(((ScalarNode)merged["gres"]!).IsNull);
        Assert.Equal("2G", ((ScalarNode)merged["memory"]!).Value);
    }
}
