"""揭榜挂帅 challenges: from 发榜 to 验收, including 赛马."""
