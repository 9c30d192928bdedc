namespace Coordinator.Reconciler.Cli.Output;

/// <summary>Where a cell too long for its column loses characters: at its end (messages) or its middle (keys, ids).</summary>
public enum Elision
{
    /// <summary>Never cut: names and states must stay exact, other columns give way first.</summary>
    None,
    End,
    Middle,
}

/// <summary>One column of a <see cref="TextTable"/>: its header, how it is cut, and the narrowest it may get.</summary>
public sealed record TableColumn(string Header, Elision Elision = Elision.End, int MinWidth = 6, bool AlignRight = false);
