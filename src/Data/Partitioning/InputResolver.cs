using Coordinator.Data.Formats;
using Coordinator.Data.Storage;

namespace Coordinator.Data.Partitioning;

/// <summary>
/// Turns spec.input.uri into the ordered list of objects to read. A URI ending in '/' is a prefix; otherwise an
/// existing object is read alone, and a URI naming no object is tried as a prefix (so s3://b/logs/2026- works).
/// Objects come in lexicographic key order, which fixes record offsets and therefore batch boundaries.
/// </summary>
public static class InputResolver
{
    public static async Task<IReadOnlyList<ObjectInfo>> ResolveAsync(IObjectStore store, Uri input, CancellationToken ct)
    {
        var source = input.ToString();
        try
        {
            if (!input.AbsolutePath.EndsWith('/') && await store.HeadAsync(input, ct).ConfigureAwait(false) is { } single)
                return [single];
            var objects = new List<ObjectInfo>();
            await foreach (var obj in store.ListAsync(input, ct).ConfigureAwait(false))
                objects.Add(obj);
            if (objects.Count == 0)
                throw new InputFormatException(InputErrorReasons.InputNotFound, source, "", "no object or prefix matches the input URI");
            return objects;
        }
        catch (ObjectStoreException e) when (e.Kind is ObjectStoreErrorKind.NotFound or ObjectStoreErrorKind.InvalidUri)
        {
            throw new InputFormatException(InputErrorReasons.InputNotFound, e.Uri.ToString(), "", e.Message, e);
        }
        catch (ObjectStoreException e) when (e.Kind is ObjectStoreErrorKind.AccessDenied)
        {
            throw new InputFormatException(InputErrorReasons.AccessDenied, e.Uri.ToString(), "", e.Message, e);
        }
    }
}
