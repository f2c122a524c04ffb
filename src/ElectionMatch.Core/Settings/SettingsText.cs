using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Settings;

/// <summary>
/// What in electionmatch.yml decides a match's rows, as canonical text: the match's block and the file's top-level
/// <c>quarantine:</c>, without comments, quoting or layout, and without the keys that only say how a provider is called
/// (its pace, timeouts, retries, prices and credentials). The engine, the snapshots, <c>dbt_version</c>, the zip codes
/// and the other matches decide nothing of its rows.
/// </summary>
internal static class SettingsText
{
    private static readonly HashSet<string> HowCalled = new(StringComparer.Ordinal)
    {
        "max_concurrency", "requests_per_minute", "timeout_seconds", "cancel_grace_seconds", "max_retries", "retry_base_delay_seconds",
        "max_retry_delay_seconds", "price_per_million_input_tokens", "price_per_million_output_tokens", "price_per_million_cached_input_tokens",
        "price_per_million_input_characters", "api_key_env", "credentials_file", "batch_size",
    };

    public static string Of(YamlNode match, YamlNode? quarantine)
    {
        var text = new StringBuilder("match ");
        Append(match, text);
        text.Append("\nquarantine ");
        if (quarantine is not null)
        {
            Append(quarantine, text);
        }

        return text.ToString();
    }

    private static void Append(YamlNode node, StringBuilder text)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                // Unset and the quoted string "null" are different settings, though their text is the same.
                text.Append(Dbt.YamlMap.IsNull(scalar) ? "null" : JsonSerializer.Serialize(scalar.Value));
                break;
            case YamlSequenceNode sequence:
                text.Append('[');
                foreach (var item in sequence.Children)
                {
                    Append(item, text);
                    text.Append(',');
                }

                text.Append(']');
                break;
            case YamlMappingNode mapping:
                text.Append('{');
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } name } && HowCalled.Contains(name))
                    {
                        continue;
                    }

                    Append(key, text);
                    text.Append(':');
                    Append(value, text);
                    text.Append(',');
                }

                text.Append('}');
                break;
        }
    }
}
