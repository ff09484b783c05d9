package market.tools;

import java.io.Reader;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractCharFilterFactory;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The analysis components of the project's index settings and mappings (search/dsl.py) that a real Elasticsearch
 * gets from its bundled {@code analysis-common} module, which is not published to Maven Central. Each is registered
 * under the name analysis-common gives it and built from the same Lucene class:
 * <ul>
 *   <li>tokenizer {@code whitespace}: {@link WhitespaceTokenizer} (custom analyzer {@code market_tokens});</li>
 *   <li>char filter type {@code pattern_replace}: {@link PatternReplaceCharFilter} with the settings
 *       {@code pattern} and {@code replacement} (char filter {@code market_empty_mark}); {@code flags} is not
 *       supported and refused;</li>
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
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of("pattern_replace", AnalysisPlugin.requiresAnalysisSettings(
                (indexSettings, environment, name, settings) -> new PatternReplace(name, settings)));
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return List.of(new PreBuiltAnalyzerProviderFactory("cjk", CachingStrategy.LUCENE, CJKAnalyzer::new));
    }

    /** {@code pattern_replace}: replaces every match of {@code pattern} with {@code replacement} (default ""). */
    static final class PatternReplace extends AbstractCharFilterFactory implements NormalizingCharFilterFactory {
        private final Pattern pattern;
        private final String replacement;

        PatternReplace(String name, Settings settings) {
            super(name);
            final String source = settings.get("pattern");
            if (source == null) {
                throw new IllegalArgumentException("pattern is missing for [" + name + "] char filter of type 'pattern_replace'");
            }
            if (settings.get("flags") != null) {
                throw new IllegalArgumentException("[" + name + "]: 'flags' is not supported by the test node's shim");
            }
            this.pattern = Pattern.compile(source);
            this.replacement = settings.get("replacement", "");
        }

        @Override
        public Reader create(Reader reader) {
            return new PatternReplaceCharFilter(pattern, replacement, reader);
        }
    }
}
