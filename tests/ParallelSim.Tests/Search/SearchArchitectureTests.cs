namespace ParallelSim.Tests.Search;

public class SearchArchitectureTests
{
    [Fact]
    public void Search_does_no_console_or_command_line_work()
    {
        var referenced = typeof(ParallelSim.Search.Sweeper).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToHashSet();
        Assert.Contains("ParallelSim.Core", referenced);
        Assert.DoesNotContain("System.Console", referenced);
        Assert.DoesNotContain("System.CommandLine", referenced);
        Assert.DoesNotContain("parallelsim", referenced);
    }
}
