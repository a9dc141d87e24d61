using System.Text;
using System.Text.RegularExpressions;

namespace ParallelSim.Readers;

/// <summary>One argument of a launch line, as written: the flag (without value) and its value, if any.</summary>
public sealed record LaunchToken(string Flag, string? Value, bool IsFlag);

/// <summary>
/// Reads a Megatron-LM launch line (torchrun ... pretrain_gpt.py --num-layers 96 ...) from arguments or a
/// shell script: joins backslash continuations, drops comments, expands $VAR and ${VAR} from the script's
/// own NAME=value lines, and splits `--flag value` and `--flag=value`. Interpretation is in <see cref="MegatronLaunch"/>.
/// </summary>
public static partial class MegatronArgs
{
    /// <summary>Words of a shell script, with its simple variables expanded.</summary>
    public static IReadOnlyList<string> Words(string script)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var words = new List<string>();
        string joined = script.Replace("\\\r\n", " ").Replace("\\\n", " ");
        foreach (var raw in joined.Split('\n'))
        {
            string line = StripComment(raw).Trim();
            if (line.Length == 0) continue;
            var assign = Assignment().Match(line);
            if (assign.Success)
            {
                vars[assign.Groups[1].Value] = Unquote(Expand(assign.Groups[2].Value, vars));
                continue;
            }
            foreach (var w in Split(line)) words.Add(Expand(w, vars));
        }
        return words;
    }

    /// <summary>Splits words into flags with values, and the other words (launcher, script, stray values).</summary>
    public static IReadOnlyList<LaunchToken> Tokens(IReadOnlyList<string> words, Func<string, bool> takesValue)
    {
        var tokens = new List<LaunchToken>();
        for (int i = 0; i < words.Count; i++)
        {
            string w = words[i];
            if (!w.StartsWith("--", StringComparison.Ordinal) || w == "--")
            {
                if (w != "--") tokens.Add(new LaunchToken(w, null, false));
                continue;
            }
            int eq = w.IndexOf('=');
            if (eq > 0) { tokens.Add(new LaunchToken(Normal(w[..eq]), w[(eq + 1)..], true)); continue; }
            string flag = Normal(w);
            bool nextIsValue = i + 1 < words.Count && !words[i + 1].StartsWith("--", StringComparison.Ordinal) && takesValue(flag);
            tokens.Add(new LaunchToken(flag, nextIsValue ? words[++i] : null, true));
        }
        return tokens;
    }

    /// <summary>Megatron and torchrun accept both --nproc_per_node and --nproc-per-node.</summary>
    public static string Normal(string flag) => "--" + flag[2..].Replace('_', '-').ToLowerInvariant();

    private static string StripComment(string line)
    {
        bool single = false, dbl = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\'' && !dbl) single = !single;
            else if (c == '"' && !single) dbl = !dbl;
            else if (c == '#' && !single && !dbl && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }

    private static IEnumerable<string> Split(string line)
    {
        var sb = new StringBuilder();
        char quote = '\0';
        foreach (char c in line)
        {
            if (quote != '\0') { if (c == quote) quote = '\0'; else sb.Append(c); }
            else if (c is '"' or '\'') quote = c;
            else if (char.IsWhiteSpace(c)) { if (sb.Length > 0) { yield return sb.ToString(); sb.Clear(); } }
            else sb.Append(c);
        }
        if (sb.Length > 0) yield return sb.ToString();
    }

    private static string Expand(string word, Dictionary<string, string> vars) =>
        Variable().Replace(word, m => vars.TryGetValue(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value, out var v) ? v : m.Value);

    private static string Unquote(string s) => s.Length >= 2 && (s[0] == '"' || s[0] == '\'') && s[^1] == s[0] ? s[1..^1] : s;

    [GeneratedRegex(@"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\S*)$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();
}
