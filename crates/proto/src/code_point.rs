//! Code points as unknown-tolerant enums, in the manner of smoltcp's `enum_with_unknown!`: one
//! variant per registered value plus `Unknown(n)`, so a decoder never fails on a value it does
//! not know and keeps the number. Each enum converts from and into its wire integer, and its
//! `Display` is the registered name (what the renderers print), so decoders and renderers share
//! one table per registry.

/// Declares a code-point enum: `pub enum Name(u32) { Variant = 0 => "name", ... }` followed by
/// `unknown(n) => expr`, the `Display` of a value outside the table (`n` is the number).
macro_rules! code_point {
    (
        $(#[$meta:meta])*
        pub enum $name:ident($ty:ty) {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal ),+ $(,)?
        }
        unknown($n:tt) => $unknown:expr;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $text, "` (", stringify!($value), ")")] $variant, )+
            /// A value outside the table, kept as sent.
            Unknown($ty),
        }

        impl From<$ty> for $name {
            fn from(value: $ty) -> Self {
                match value {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other),
                }
            }
        }

        impl From<$name> for $ty {
            fn from(code: $name) -> $ty {
                code.value()
            }
        }

        impl $name {
            /// The number on the wire.
            pub fn value(self) -> $ty {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(n) => n,
                }
            }

            /// The registered name; `None` for a value outside the table.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($text), )+
                    Self::Unknown(_) => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match *self {
                    $( Self::$variant => f.pad($text), )+
                    Self::Unknown($n) => f.pad(&$unknown.to_string()),
                }
            }
        }
    };
}

pub(crate) use code_point;

#[cfg(test)]
mod tests {
    code_point! {
        /// A test registry.
        pub enum Sample(u16) {
            Zero = 0 => "zero",
            Seven = 7 => "seven",
        }
        unknown(n) => format_args!("sample_{n}");
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        assert_eq!(Sample::from(7), Sample::Seven);
        assert_eq!(Sample::from(8), Sample::Unknown(8));
        assert_eq!(u16::from(Sample::Seven), 7);
        assert_eq!(u16::from(Sample::Unknown(8)), 8);
        assert_eq!(Sample::Zero.name(), Some("zero"));
        assert_eq!(Sample::Unknown(8).name(), None);
    }

    #[test]
    fn display_is_the_name_and_pads() {
        assert_eq!(Sample::Seven.to_string(), "seven");
        assert_eq!(Sample::Unknown(9).to_string(), "sample_9");
        assert_eq!(format!("[{:>6}]", Sample::Zero), "[  zero]");
    }
}
