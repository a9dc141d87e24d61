using System.Globalization;
using System.Text.Json;

namespace ParallelSim.Readers;

/// <summary>
/// Reads one JSON object strictly: every key must be known, every required key present, every value
/// of the right type. Collects all problems, naming the file.
/// </summary>
internal sealed class JsonFields
{
    private readonly JsonElement _obj;
    private readonly string _where;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    public List<string> Problems { get; } = [];

    private JsonFields(JsonElement obj, string where) { _obj = obj; _where = where; }

    /// <summary>Parses text; a syntax error names the file, line and column.</summary>
    public static JsonDocument Parse(string text, string where)
    {
        try
        {
            return JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            long line = (e.LineNumber ?? 0) + 1, col = (e.BytePositionInLine ?? 0) + 1;
            string reason = e.Message.Split(". LineNumber")[0].Split(" Path:")[0].TrimEnd('.');
            throw new UserInputException($"{where}: malformed JSON at line {line}, column {col}: {reason}");
        }
    }

    public static JsonFields Of(JsonElement obj, string where)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new UserInputException($"{where}: expected a JSON object, found {obj.ValueKind}");
        return new JsonFields(obj, where);
    }

    public bool Has(string key) { _known.Add(key); return _obj.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null; }

    public string String(string key, string? fallback = null)
    {
        _known.Add(key);
        if (_obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String) return v.GetString()!;
        if (fallback is not null && !_obj.TryGetProperty(key, out _)) return fallback;
        Problems.Add(Wrong(key, "a string", fallback is null));
        return fallback ?? "";
    }

    public double Number(string key, double? fallback = null, double min = double.MinValue)
    {
        _known.Add(key);
        if (_obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d))
        {
            if (d < min || double.IsNaN(d) || double.IsInfinity(d))
                Problems.Add($"{_where}: \"{key}\" is {d.ToString(CultureInfo.InvariantCulture)}; it must be at least {min.ToString(CultureInfo.InvariantCulture)}");
            return d;
        }
        if (fallback is not null && !_obj.TryGetProperty(key, out _)) return fallback.Value;
        Problems.Add(Wrong(key, "a number", fallback is null));
        return fallback ?? 0;
    }

    public int Int(string key, int? fallback = null, int min = 1)
    {
        double d = Number(key, fallback, min);
        if (d != Math.Floor(d) || d > int.MaxValue) { Problems.Add($"{_where}: \"{key}\" must be a whole number up to {int.MaxValue} (got {d.ToString(CultureInfo.InvariantCulture)})"); return fallback ?? 1; }
        return (int)d;
    }

    public bool Bool(string key, bool? fallback = null)
    {
        _known.Add(key);
        if (_obj.TryGetProperty(key, out var v) && (v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.False)) return v.GetBoolean();
        if (fallback is not null && !_obj.TryGetProperty(key, out _)) return fallback.Value;
        Problems.Add(Wrong(key, "true or false", fallback is null));
        return fallback ?? false;
    }

    public JsonFields? Object(string key)
    {
        _known.Add(key);
        if (_obj.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Object) return new JsonFields(v, $"{_where}: \"{key}\"");
        return null;
    }

    /// <summary>The problem for a key that is missing (and required) or holds a value of the wrong kind, naming the value.</summary>
    private string Wrong(string key, string what, bool required) =>
        _obj.TryGetProperty(key, out var v)
            ? $"{_where}: \"{key}\" is {v.GetRawText()}; it must be {what}"
            : $"{_where}: \"{key}\" must be {what}{(required ? " and is required" : "")}";

    /// <summary>Adds a problem for every key not read.</summary>
    public void RejectUnknown()
    {
        foreach (var p in _obj.EnumerateObject())
            if (!_known.Contains(p.Name))
                Problems.Add($"{_where}: unknown key \"{p.Name}\" (known: {string.Join(", ", _known.Order(StringComparer.Ordinal))})");
    }

    public void ThrowIfProblems(List<string>? into = null)
    {
        if (Problems.Count == 0) return;
        if (into is not null) { into.AddRange(Problems); return; }
        throw new UserInputException(Problems);
    }
}
