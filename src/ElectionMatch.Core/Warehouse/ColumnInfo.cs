namespace ElectionMatch.Warehouse;

public sealed record ColumnInfo(string Name, string DataType);
