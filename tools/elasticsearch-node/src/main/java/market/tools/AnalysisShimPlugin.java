package market.tools;

import java.util.List;

import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The two analysis components of the project's mappings (search/dsl.py) that a real Elasticsearch gets from its
 * bundled {@code analysis-common} module, which is not published to Maven Central. Each is the pre-configured
 * (setting-less) form that module registers under the same name, built from the same Lucene class:
 * <ul>
 *   <li>tokenizer {@code whitespace}: {@link WhitespaceTokenizer} (custom analyzer {@code market_tokens});</li>
 *   <li>analyzer {@code cjk}: Lucene's {@link CJKAnalyzer} with its default stop words (the {@code .cjk}
 *       sub-fields).</li>
 * </ul>
 * The {@code lowercase} token filter of the normalizer {@code market_lower} is in the server itself. Nothing else of
 * analysis-common is provided: a mapping using any other component fails here as it should.
 */
public final class AnalysisShimPlugin extends Plugin implements AnalysisPlugin {
    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return List.of(PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new));
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return List.of(new PreBuiltAnalyzerProviderFactory("cjk", CachingStrategy.LUCENE, CJKAnalyzer::new));
    }
}
