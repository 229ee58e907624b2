package routes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.main.Main;
import pipeline.config.StartupFailure;
import pipeline.dev.DevMode;
import pipeline.stats.StatsCommand;

/** Runs the pipeline's routes ({@code --dev}: on embedded servers with a trip simulator), or {@code stats --month YYYY-MM} once. */
public final class App {

    private App() {
    }

    /**
     * Camel Main with the pipeline's routes and configuration named, not found by scanning: a scan
     * of the package reads the whole fat jar (150 MB), which took 5 to 9 s of every start.
     */
    public static Main pipelineMain() {
        Main main = new Main();
        main.configure().addConfiguration(PipelineConfiguration.class);
        main.configure().addRoutesBuilder(MonthlyStatsRoute.class, RestateStatsRoute.class, KafkaToS3Route.class, CdcToKafkaRoute.class);
        return main;
    }

    public static void main(String[] args) throws Exception {
        List<String> camelArgs = new ArrayList<>(List.of(args));
        if (!camelArgs.isEmpty() && camelArgs.get(0).equals("stats")) {
            System.exit(StatsCommand.run(camelArgs.subList(1, camelArgs.size())));
        }
        boolean dev = camelArgs.remove("--dev");
        Main main = pipelineMain();
        if (dev) {
            DevMode devMode = DevMode.start(Path.of("trip-pipeline-dev"));
            devMode.pipelineProperties().forEach(main::addOverrideProperty);
            main.addMainListener(devMode);
        }
        try {
            System.exit(main.run(camelArgs.toArray(String[]::new)));
        } catch (Exception e) {
            System.err.println("trip-pipeline: " + StartupFailure.describe(e));
            System.exit(StartupFailure.isConfiguration(e) ? 2 : 1);
        }
    }
}
