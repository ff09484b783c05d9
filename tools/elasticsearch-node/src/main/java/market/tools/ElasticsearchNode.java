package market.tools;

import java.io.Closeable;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.MockNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Runs one real Elasticsearch node in-process (the test framework's {@link MockNode}, which loads plugins from the
 * class path) on a loopback port until killed. Plugins: Netty4 (HTTP + transport) and {@link AnalysisShimPlugin}.
 *
 * Usage: ElasticsearchNode &lt;http-port&gt; &lt;base-dir&gt; [transport-port] [cluster-name]
 */
public final class ElasticsearchNode {
    private ElasticsearchNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ElasticsearchNode <http-port> <base-dir> [transport-port] [cluster-name]");
            System.exit(2);
        }
        final int httpPort = Integer.parseInt(args[0]);
        final Path base = Path.of(args[1]).toAbsolutePath();
        final int transportPort = args.length > 2 ? Integer.parseInt(args[2]) : httpPort + 1000;
        final String clusterName = args.length > 3 ? args[3] : "market-test";
        Files.createDirectories(base.resolve("data"));
        Files.createDirectories(base.resolve("logs"));
        final Settings settings = Settings.builder()
                .put("cluster.name", clusterName)
                .put("node.name", "node-1")
                .put("path.home", base.toString())
                .put("path.data", base.resolve("data").toString())
                .put("path.logs", base.resolve("logs").toString())
                .put("http.host", "127.0.0.1")
                .put("http.port", httpPort)
                .put("transport.host", "127.0.0.1")
                .put("transport.port", transportPort)
                .put("discovery.type", "single-node")
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.auto_create_index", false)
                .build();
        LogConfigurator.configureWithoutConfig(settings);
        Configurator.setRootLevel(Level.INFO);  // log4j's default console configuration shows errors only
        // MockNode's public constructors ask the randomized test runner for a port range; its private one takes a
        // ready Environment. The runner itself is left off the class path (see scripts/elasticsearch-node.sh):
        // with it present, every Randomness.get() in the server demands a running randomized test.
        final Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null,
                () -> "node-1");
        final Constructor<MockNode> constructor = MockNode.class.getDeclaredConstructor(Environment.class,
                Collection.class, boolean.class, Closeable.class);
        constructor.setAccessible(true);
        final Collection<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, AnalysisShimPlugin.class);
        final Node node = constructor.newInstance(environment, plugins, true, (Closeable) () -> { });
        node.start();
        System.out.println("READY http://127.0.0.1:" + httpPort);
        System.out.flush();
        final CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            }
            stop.countDown();
        }));
        stop.await();
    }
}
