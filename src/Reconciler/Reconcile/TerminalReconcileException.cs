using Coordinator.Model.Errors;

namespace Coordinator.Reconciler.Reconcile;

/// <summary>
/// A failure that retrying cannot fix (controller-runtime's TerminalError): the reconcile loop logs it, forgets the
/// key's backoff and does not requeue it. The job is reconciled again only when it changes or at the next resync.
/// </summary>
public sealed class TerminalReconcileException(string message, Exception? inner = null) : CoordinatorException(message, inner, isTransient: false);
