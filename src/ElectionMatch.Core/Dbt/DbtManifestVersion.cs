using System.Text.Json;

namespace ElectionMatch.Dbt;

/// <summary>
/// The dbt version that last wrote the project's <c>target/manifest.json</c> (<c>metadata.dbt_version</c>). A build
/// artifact of one machine, so it only informs a warning; it never chooses what is generated.
/// </summary>
internal static class DbtManifestVersion
{
    // dbt writes metadata first; a manifest can be hundreds of MB, and only its start is read.
    private const int HeadBytes = 64 * 1024;

    /// <summary>Null when there is no manifest, or its start holds no readable version.</summary>
    public static DbtVersion? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var head = new byte[HeadBytes];
        int length;
        using (var file = File.OpenRead(path))
        {
            length = file.ReadAtLeast(head, HeadBytes, throwOnEndOfStream: false);
        }

        try
        {
            return Find(head.AsSpan(0, length), isFinalBlock: length < HeadBytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static DbtVersion? Find(ReadOnlySpan<byte> json, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock, default);
        var inMetadata = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                if (inMetadata && reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 1)
                {
                    return null;
                }

                continue;
            }

            if (reader.CurrentDepth == 1 && reader.ValueTextEquals("metadata"))
            {
                inMetadata = true;
            }
            else if (inMetadata && reader.CurrentDepth == 2 && reader.ValueTextEquals("dbt_version") && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                return DbtVersion.TryParse(reader.GetString()!);
            }
        }

        return null;
    }
}
