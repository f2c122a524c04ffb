namespace ElectionMatch.Warehouse;

/// <summary>
/// A warehouse opened under its <see cref="WarehouseLock"/> (<see cref="Operations.ProjectContext.LockForReading"/>).
/// Disposing closes the warehouse before it lets the lock go, so a command that was waiting never finds it still open.
/// </summary>
internal sealed class LockedWarehouse(WarehouseLock held, DuckDbWarehouse warehouse) : IDisposable
{
    public DuckDbWarehouse Warehouse { get; } = warehouse;

    public void Dispose()
    {
        Warehouse.Dispose();
        held.Dispose();
    }
}
