include!("../../bot.rs");
